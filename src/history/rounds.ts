import type { ContainerUsage } from '../containers/schemas.js';

/** What a series is: one container (engine + id) or one service group (engine `*`). */
export interface SeriesRef {
  kind: 'container' | 'group';
  engine: string;
  key: string;
  /** For display: the container's latest name, or the group's name. */
  name: string;
  /** A container's groups when last seen (who may read its history once it is gone). */
  groups: readonly string[];
}

/** One round's value of one series, as stored: integers only (see history-database.ts). */
export interface RoundValue {
  /** CPU in hundredths of a percent (100 % = one core → 10000). */
  cpu: number;
  memory: number;
  memoryLimit: number | null;
  /** Network receive and transmit rates (bytes/s) since the previous round; null when unknown. */
  rx: number | null;
  tx: number | null;
}

export interface RoundRow {
  series: SeriesRef;
  value: RoundValue;
}

/** A running container as one round saw it. */
export interface Observed {
  engine: string;
  id: string;
  name: string;
  groups: readonly string[];
  usage: ContainerUsage;
}

/** Groups span engines: their series are keyed by name alone. */
export const ANY_ENGINE = '*';

interface Counters {
  at: number;
  rx: number;
  tx: number;
}

/**
 * Turns each container's cumulative network counters into rates between two rounds. A
 * counter that went down (the container restarted: new namespace, new counters) or a
 * sample no newer than the last gives no rate, never a negative or infinite one.
 */
export class RateTracker {
  private previous = new Map<string, Counters>();

  rates(key: string, now: Counters): { rx: number | null; tx: number | null } {
    const before = this.previous.get(key);
    this.previous.set(key, now);
    const seconds = before ? (now.at - before.at) / 1000 : 0;
    if (!before || seconds <= 0 || now.rx < before.rx || now.tx < before.tx) return { rx: null, tx: null };
    return { rx: Math.round((now.rx - before.rx) / seconds), tx: Math.round((now.tx - before.tx) / seconds) };
  }

  /** Forgets containers that were not in this round (stopped or removed): memory stays bounded. */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of this.previous.keys()) if (!keys.has(key)) this.previous.delete(key);
  }
}

function containerKey(engine: string, id: string): string {
  return `${engine}\u0000${id}`;
}

/**
 * One round's rows: a row per observed container, and a row per service group holding the
 * sums of its members' rows (so a group's point is exactly its members' sum). A group's
 * network rate sums the members whose rate is known; null when none is.
 */
export function roundRows(observed: readonly Observed[], rates: RateTracker): RoundRow[] {
  const rows: RoundRow[] = [];
  const groups = new Map<string, RoundValue>();
  const seen = new Set<string>();
  for (const c of observed) {
    const key = containerKey(c.engine, c.id);
    seen.add(key);
    const u = c.usage;
    const at = Date.parse(u.read);
    const net = rates.rates(key, { at, rx: u.network.rxBytes, tx: u.network.txBytes });
    const value: RoundValue = {
      cpu: Math.round((u.cpuPercent ?? 0) * 100),
      memory: u.memory.usage,
      memoryLimit: u.memory.limit > 0 ? u.memory.limit : null,
      ...net,
    };
    rows.push({ series: { kind: 'container', engine: c.engine, key: c.id, name: c.name, groups: c.groups }, value });
    for (const g of new Set(c.groups)) {
      const sum = groups.get(g) ?? { cpu: 0, memory: 0, memoryLimit: null, rx: null, tx: null };
      sum.cpu += value.cpu;
      sum.memory += value.memory;
      if (value.rx !== null) sum.rx = (sum.rx ?? 0) + value.rx;
      if (value.tx !== null) sum.tx = (sum.tx ?? 0) + value.tx;
      groups.set(g, sum);
    }
  }
  rates.keepOnly(seen);
  for (const [name, value] of groups) rows.push({ series: { kind: 'group', engine: ANY_ENGINE, key: name, name, groups: [name] }, value });
  return rows;
}
