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

/** What GET /ready told: ready (200), not ready (503: the service answers, its engine does not), or no answer at all. */
export type ReadyAnswer = 'ready' | 'not-ready' | 'no-answer';

/** The part of a `container` event of /api/v1/events (ContainerChangeEvent) the table needs. */
export type ContainerChange = Pick<ContainerChangeEvent, 'kind' | 'id' | 'container'> & Partial<Pick<ContainerChangeEvent, 'engine'>>;

export type SortKey = 'name' | 'engine' | 'group' | 'image' | 'state' | 'health' | 'cpu' | 'memory';

/**
 * A container's key in the table and its reference in routes and API calls:
 * `{engine}:{id}`. Ids are only unique on their engine (the same engine declared twice
 * under two names lists every id twice), so the table never keys by the bare id.
 */
export function containerKey(c: { engine?: string; id: string }): string {
  return `${c.engine ?? 'local'}:${c.id}`;
}

export interface RowQuery {
  /** Part of a name or image, any case; empty keeps all. */
  query: string;
  /** A state (running, exited, …); empty keeps all. */
  state: string;
  /** A group the container must belong to; empty keeps all. */
  group: string;
  /** The engine it must run on; empty (or absent) keeps all. */
  engine?: string;
  sort: { key: SortKey; asc: boolean };
}

/** A `snapshot` event replaces the whole table. */
export function tableFromSnapshot(list: readonly ContainerSummary[]): Map<string, ContainerSummary> {
  return new Map(list.map((c) => [containerKey(c), c]));
}

/** A `container` event: a new table (React state is never mutated) with the change applied. */
export function applyChange(table: ReadonlyMap<string, ContainerSummary>, change: ContainerChange): Map<string, ContainerSummary> {
  const next = new Map(table);
  const key = containerKey(change);
  if (change.kind === 'removed' || !change.container) next.delete(key);
  else next.set(key, change.container);
  return next;
}

/** A `stats` event of /api/v1/stats: each sample replaces the last (stopped containers drop out). */
export function usageFromSample(containers: readonly Usage[]): Map<string, Usage> {
  return new Map(containers.map((c) => [containerKey(c), c]));
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

/**
 * What /ready said while the stream was closed: no answer means the service itself is out of
 * reach; an answer that is not ready means the service is up and its engine is not (down, or
 * not synced yet), whatever the stream's own error could tell. Ready changes nothing: the
 * reopened stream's snapshot makes it live.
 */
export function connectionAfterReady(current: Connection, ready: ReadyAnswer): Connection {
  if (ready === 'no-answer') return 'lost';
  if (ready === 'not-ready') return 'engine-down';
  return current;
}

/** The stream (re)opened: a lost connection is live again; an engine outage waits for its snapshot. */
export function connectionAfterOpen(current: Connection): Connection {
  return current === 'lost' ? 'live' : current;
}

/** Every group some container belongs to, sorted (the group filter's options). */
export function groupNames(all: readonly ContainerSummary[]): string[] {
  return [...new Set(all.flatMap((c) => c.groups))].sort();
}

/** Every engine some container runs on, sorted (the engine filter's options, with the engines list). */
export function engineNames(all: readonly ContainerSummary[], known: readonly string[] = []): string[] {
  return [...new Set([...known, ...all.map((c) => c.engine)])].sort();
}

/**
 * The container a route's reference names, from the live table: `{engine}:{id}` (the
 * table's own links) directly; otherwise a name, or an id or id prefix, on the engine named
 * (or on any, when exactly one container matches). Undefined when none or several do: the
 * page then asks the service, which answers 404 or 409 AMBIGUOUS with the candidates.
 */
export function findByRef(table: ReadonlyMap<string, ContainerSummary>, ref: string): ContainerSummary | undefined {
  const exact = table.get(ref);
  if (exact) return exact;
  const colon = ref.indexOf(':');
  const engine = colon > 0 ? ref.slice(0, colon) : undefined;
  const bare = colon > 0 ? ref.slice(colon + 1) : ref;
  if (!bare) return undefined;
  const matches: ContainerSummary[] = [];
  for (const c of table.values()) {
    if (engine !== undefined && c.engine !== engine) continue;
    if (c.id === bare || c.name === bare || (/^[0-9a-f]+$/.test(bare) && c.id.startsWith(bare))) matches.push(c);
  }
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * The rows shown: filtered by text, state, group and engine, sorted by a column. CPU and memory
 * sort by the live sample; a container without one sorts below any that has one.
 */
export function visibleRows(all: readonly ContainerSummary[], usage: ReadonlyMap<string, Usage>, { query, state, group, engine, sort }: RowQuery): ContainerSummary[] {
  const q = query.toLowerCase();
  const value = (c: ContainerSummary): string | number => {
    switch (sort.key) {
      case 'cpu':
        return usage.get(containerKey(c))?.cpuPercent ?? -1;
      case 'memory':
        return usage.get(containerKey(c))?.memory.usage ?? -1;
      case 'group':
        return c.group ?? '';
      default:
        return c[sort.key];
    }
  };
  return all
    .filter((c) => (!q || c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q)) && (!state || c.state === state) && (!group || c.groups.includes(group)) && (!engine || c.engine === engine))
    .sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      const cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return sort.asc ? cmp : -cmp;
    });
}
