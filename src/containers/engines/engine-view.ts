import Type, { type Static } from 'typebox';
import type { EngineUnit } from './engine-unit.js';
import type { MergedStore } from './merged-store.js';

export const EngineErrorSchema = Type.Object({
  code: Type.String({ description: 'Our error code, e.g. DOCKER_UNAVAILABLE or DOCKER_TIMEOUT' }),
  message: Type.String(),
  cause: Type.Optional(Type.String({ description: 'The system error code, e.g. ECONNREFUSED, ENOENT, CERT_HAS_EXPIRED' })),
  at: Type.String({ description: 'ISO 8601' }),
});

export const EngineViewSchema = Type.Object(
  {
    name: Type.String(),
    url: Type.String({ description: 'Without user name, password or query' }),
    required: Type.Boolean({ description: '/ready waits for it' }),
    reachable: Type.Boolean(),
    synced: Type.Boolean({ description: 'Its containers are in sync (false: listed as stale, or none known yet)' }),
    checkedAt: Type.Union([Type.String(), Type.Null()]),
    version: Type.Union([Type.String(), Type.Null()]),
    apiVersion: Type.Union([Type.String(), Type.Null()]),
    latencyMs: Type.Union([Type.Number(), Type.Null()], { description: 'Round trip of the last ping that answered' }),
    containers: Type.Integer(),
    running: Type.Integer(),
    lastSeen: Type.Union([Type.String(), Type.Null()], { description: 'While not synced: when it last was' }),
    lastError: Type.Union([EngineErrorSchema, Type.Null()], { description: 'The last failure (kept after it recovered, with its time)' }),
    reconnects: Type.Integer({ description: 'Attempts to reconnect its events stream since the start' }),
    hint: Type.Optional(Type.String({ description: 'What to do, while unreachable' })),
  },
  { $id: 'Engine' },
);
export type EngineView = Static<typeof EngineViewSchema>;

export const EngineListSchema = Type.Object({ engines: Type.Array(Type.Ref('Engine')) });

/** The short form public probes show: no URL, no version, no error text. */
export const EngineProbeSchema = Type.Object({
  name: Type.String(),
  required: Type.Boolean(),
  reachable: Type.Boolean(),
  synced: Type.Boolean(),
});

/** How long a view waits for a fresh probe before it shows the last known state. */
export const PROBE_WAIT_MS = 1_000;

/** One engine as GET /engines shows it; probes it first unless a probe younger than a second answered. */
export async function engineView(unit: EngineUnit, store: Pick<MergedStore, 'lastSeen'>): Promise<EngineView> {
  const state = await unit.status.checkWithin(PROBE_WAIT_MS);
  let running = 0;
  const all = unit.store.summaries();
  for (const c of all) if (c.state === 'running') running++;
  return {
    name: unit.name,
    url: unit.url,
    required: unit.required,
    reachable: state.reachable,
    synced: unit.store.isSynced,
    checkedAt: state.checkedAt,
    version: state.info?.version ?? null,
    apiVersion: state.info?.apiVersion ?? null,
    latencyMs: state.reachable ? (state.latencyMs ?? null) : null,
    containers: all.length,
    running,
    lastSeen: store.lastSeen(unit.name) ?? null,
    lastError: state.lastError ?? null,
    reconnects: unit.store.reconnects,
    ...(state.reachable ? {} : { hint: state.hint }),
  };
}
