import { availableParallelism } from 'node:os';
import { CgroupReader } from './docker/cgroup-reader.js';
import { isLocalEngine } from './docker/connection.js';
import type { DockerEngine } from './docker/engine.js';
import type { Config } from './config.js';
import { ChangeFeed } from './containers/change-feed.js';
import { ContainerStore, DEFAULT_STORE_OPTIONS } from './containers/container-store.js';
import type { GroupCatalog } from './groups/catalog.js';
import { GroupRunner } from './groups/group-runner.js';
import { GroupService } from './groups/group-service.js';
import { ContainerService } from './containers/container-service.js';
import { EngineStatus } from './containers/engine-status.js';
import { LogService } from './containers/logs/logs.js';
import { StatsCollector, DEFAULT_COLLECTOR_OPTIONS } from './containers/stats/stats-collector.js';
import { StatsService } from './containers/stats/stats.js';

/** Everything the routes may call. Routes get this, never the engine itself. */
export interface Services {
  engineStatus: EngineStatus;
  store: ContainerStore;
  feed: ChangeFeed;
  containers: ContainerService;
  logs: LogService;
  stats: StatsService;
  groups: GroupService;
  groupRunner: GroupRunner;
  /** Begins following the engine (the store syncs in the background). */
  start(): void;
  close(): Promise<void>;
}

export function createServices(engine: DockerEngine, config: Pick<Config, 'docker' | 'stats' | 'groups'>, catalog: GroupCatalog): Services {
  const engineStatus = new EngineStatus(engine);
  const store = new ContainerStore(engine, DEFAULT_STORE_OPTIONS, (c) => catalog.groupsOf(c));
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
    groups: new GroupService(catalog, store, collector),
    groupRunner: new GroupRunner(catalog, store, containers, { stepTimeoutMaxSeconds: config.groups.stepTimeoutMaxSeconds }),
    start: () => store.start(),
    close: async () => {
      collector.close();
      await store.close();
    },
  };
}
