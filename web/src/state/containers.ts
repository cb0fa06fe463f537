// The types straight from the schema (as api/client.ts derives them), with a .js path: the
// unit tests load this file under the service's NodeNext, DOM-less compiler settings.
import type { components, paths } from '../../../clients/typescript/src/generated/schema.js';

type ContainerSummary = components['schemas']['ContainerSummary'];
type ContainerChangeEvent = components['schemas']['ContainerChangeEvent'];
type Usage = paths['/api/v1/stats']['get']['responses']['200']['content']['application/json']['containers'][number];

/**
 * The dashboard's container table as pure functions (no React, no DOM), so the way events
 * and stats samples become rows is unit-tested (test/unit/web-containers.test.ts). The hooks
 * in live.ts feed them from the /api/v1/events and /api/v1/stats streams.
 */

export type Connection = 'connecting' | 'live' | 'lost' | 'engine-down';

/** The part of a `container` event of /api/v1/events (ContainerChangeEvent) the table needs. */
export type ContainerChange = Pick<ContainerChangeEvent, 'kind' | 'id' | 'container'>;

export type SortKey = 'name' | 'group' | 'image' | 'state' | 'health' | 'cpu' | 'memory';

export interface RowQuery {
  /** Part of a name or image, any case; empty keeps all. */
  query: string;
  /** A state (running, exited, …); empty keeps all. */
  state: string;
  /** A group the container must belong to; empty keeps all. */
  group: string;
  sort: { key: SortKey; asc: boolean };
}

/** A `snapshot` event replaces the whole table. */
export function tableFromSnapshot(list: readonly ContainerSummary[]): Map<string, ContainerSummary> {
  return new Map(list.map((c) => [c.id, c]));
}

/** A `container` event: a new table (React state is never mutated) with the change applied. */
export function applyChange(table: ReadonlyMap<string, ContainerSummary>, change: ContainerChange): Map<string, ContainerSummary> {
  const next = new Map(table);
  if (change.kind === 'removed' || !change.container) next.delete(change.id);
  else next.set(change.id, change.container);
  return next;
}

/** A `stats` event of /api/v1/stats: each sample replaces the last (stopped containers drop out). */
export function usageFromSample(containers: readonly Usage[]): Map<string, Usage> {
  return new Map(containers.map((c) => [c.id, c]));
}

/**
 * The stream's `error`: with data, the service said the engine is gone; without, the
 * connection broke (EventSource retries by itself). An engine outage stays shown until the
 * next snapshot says otherwise.
 */
export function connectionAfterError(current: Connection, engineGone: boolean): Connection {
  if (engineGone) return 'engine-down';
  return current === 'engine-down' ? current : 'lost';
}

/** The stream (re)opened: a lost connection is live again; an engine outage waits for its snapshot. */
export function connectionAfterOpen(current: Connection): Connection {
  return current === 'lost' ? 'live' : current;
}

/** Every group some container belongs to, sorted (the group filter's options). */
export function groupNames(all: readonly ContainerSummary[]): string[] {
  return [...new Set(all.flatMap((c) => c.groups))].sort();
}

/**
 * The rows shown: filtered by text, state and group, sorted by a column. CPU and memory
 * sort by the live sample; a container without one sorts below any that has one.
 */
export function visibleRows(all: readonly ContainerSummary[], usage: ReadonlyMap<string, Usage>, { query, state, group, sort }: RowQuery): ContainerSummary[] {
  const q = query.toLowerCase();
  const value = (c: ContainerSummary): string | number => {
    switch (sort.key) {
      case 'cpu':
        return usage.get(c.id)?.cpuPercent ?? -1;
      case 'memory':
        return usage.get(c.id)?.memory.usage ?? -1;
      case 'group':
        return c.group ?? '';
      default:
        return c[sort.key];
    }
  };
  return all
    .filter((c) => (!q || c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q)) && (!state || c.state === state) && (!group || c.groups.includes(group)))
    .sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      const cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return sort.asc ? cmp : -cmp;
    });
}
