import { canSee, canSeeEngine, type Viewer } from '../access/principal.js';
import type { ReplicaMemory } from '../storage/replica-memory.js';
import { SwarmGroupMembers } from './group-members.js';
import { ServiceLogs } from './service-logs.js';
import { ServiceStatsReader, type TaskUsage } from './service-stats.js';
import { SwarmEngines, type EngineSwarm, type SwarmEngineEntry } from './swarm-engines.js';
import { SwarmServices } from './swarm-service.js';
import { DEFAULT_SWARM_STORE_OPTIONS, SwarmStore, type SwarmChange, type SwarmStoreOptions } from './swarm-store.js';
import type { ServiceGroupsOf } from './swarm-views.js';

export type { SwarmEngineEntry, SwarmChange };

/** The swarm of every manager engine: what the routes, the groups feature and the tests may call. */
export interface SwarmFeature {
  engines: SwarmEngines;
  services: SwarmServices;
  logs: ServiceLogs;
  stats: ServiceStatsReader;
  /** Swarm services as service-group members (scaled by group start and stop). */
  groupMembers: SwarmGroupMembers;
  /** Calls `listener` with each change `viewer` may see (nodes: any reader of their engine); returns the unsubscribe. */
  watch(viewer: Viewer, listener: (change: SwarmChange) => void): () => void;
  start(): void;
  close(): Promise<void>;
}

/**
 * One live store per engine (each finds out by itself whether its engine is a swarm
 * manager), the service, log and group-member services over them. `groupsOf` says which
 * service groups a swarm service belongs to (the groups feature owns the definitions).
 */
export function createSwarmFeature(
  entries: readonly SwarmEngineEntry[],
  groupsOf: ServiceGroupsOf,
  memory: ReplicaMemory,
  usage: TaskUsage,
  storeOptions: SwarmStoreOptions = DEFAULT_SWARM_STORE_OPTIONS,
): SwarmFeature {
  const all: EngineSwarm[] = entries.map((e) => ({ name: e.name, client: e.client, store: new SwarmStore(e.name, e.client, storeOptions) }));
  const engines = new SwarmEngines(all, groupsOf);
  return {
    engines,
    services: new SwarmServices(engines),
    logs: new ServiceLogs(engines),
    stats: new ServiceStatsReader(engines, usage),
    groupMembers: new SwarmGroupMembers(all, memory),
    watch: (viewer, listener) => {
      const onChange = (change: SwarmChange) => {
        if (!canSeeEngine(viewer, change.engine)) return;
        if (change.kind !== 'node' && (!change.service || !canSee(viewer, { groups: engines.groupsOfService(change.engine, change.service) }))) return;
        listener(change);
      };
      for (const e of all) e.store.on('change', onChange);
      return () => {
        for (const e of all) e.store.off('change', onChange);
      };
    },
    start: () => {
      for (const e of all) e.store.start();
    },
    close: async () => {
      await Promise.all(all.map((e) => e.store.close()));
    },
  };
}
