import { availableParallelism } from 'node:os';
import type { Config } from '../config.js';
import { CgroupReader } from '../docker/cgroup-reader.js';
import { isLocalEngine } from '../docker/connection.js';
import type { DockerEngine } from '../docker/engine.js';
import { ChangeFeed } from './change-feed.js';
import { ContainerService } from './container-service.js';
import { ContainerStore, DEFAULT_STORE_OPTIONS } from './container-store.js';
import type { GroupsOf } from './container-view.js';
import { EngineStatus } from './engine-status.js';
import { LogService } from './logs/logs.js';
import { DEFAULT_COLLECTOR_OPTIONS, StatsCollector } from './stats/stats-collector.js';
import { StatsService } from './stats/stats.js';

/** The live containers of the engine: what the other features and the routes may call. */
export interface ContainersFeature {
  engineStatus: EngineStatus;
  store: ContainerStore;
  feed: ChangeFeed;
  containers: ContainerService;
  logs: LogService;
  stats: StatsService;
  /** Begins following the engine (the store syncs in the background). */
  start(): void;
  close(): Promise<void>;
}

/**
 * Wires the store (kept live from the engine's events), its change feed, the container,
 * log and stats services over one engine. `groupsOf` says which service groups a container
 * belongs to (the groups feature owns the definitions; this one only asks).
 */
export function createContainersFeature(engine: DockerEngine, config: Pick<Config, 'docker' | 'stats'>, groupsOf: GroupsOf): ContainersFeature {
  const engineStatus = new EngineStatus(engine);
  const store = new ContainerStore(engine, DEFAULT_STORE_OPTIONS, groupsOf);
  // Readiness follows the store: synced means the engine answered a full list.
  store.on('synced', () => engineStatus.observe(undefined));
  store.on('lost', () => void engineStatus.check(true));
  const containers = new ContainerService(engine, store, engineStatus);
  const cgroups = config.stats.source !== 'engine' && isLocalEngine(config.docker) ? new CgroupReader() : undefined;
  const collector = new StatsCollector(
    engine,
    store,
    cgroups,
    () => (engineStatus.apiVersion ?? 0) >= 1.41,
    { ...DEFAULT_COLLECTOR_OPTIONS, source: config.stats.source, intervalMs: config.stats.intervalMs },
    availableParallelism(),
  );
  return {
    engineStatus,
    store,
    feed: new ChangeFeed(store),
    containers,
    logs: new LogService(engine, containers),
    stats: new StatsService(containers, collector),
    start: () => store.start(),
    close: async () => {
      collector.close();
      await store.close();
    },
  };
}
