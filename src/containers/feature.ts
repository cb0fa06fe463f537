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
import { EventStream } from './event-stream.js';
import { LogService } from './logs/logs.js';
import { DEFAULT_COLLECTOR_OPTIONS, StatsCollector } from './stats/stats-collector.js';
import { StatsService } from './stats/stats.js';
import type { ContainerReader } from './store-reader.js';

export type { ContainerReader };

/** The live containers of the engine: what the routes and the other features may call. */
export interface ContainersFeature {
  engineStatus: EngineStatus;
  /** The store's read side (groups, compose and the probes read it; only the events loop writes). */
  store: ContainerReader;
  containers: ContainerService;
  logs: LogService;
  stats: StatsService;
  events: EventStream;
  /** How many containers are in each state, from the store; undefined until it is synced. */
  countsByState(): Record<string, number> | undefined;
  /** Begins following the engine (the store syncs in the background). */
  start(): void;
  close(): Promise<void>;
}

/** What the feature keeps to itself: the writable store, the change feed, the stats collector. */
export interface ContainersInternals {
  store: ContainerStore;
  feed: ChangeFeed;
  collector: StatsCollector;
}

const internals = new WeakMap<ContainersFeature, ContainersInternals>();

/** The feature's internals, for tests that watch them (the feed's numbering, its listeners); features use the interface. */
export function internalsOf(feature: ContainersFeature): ContainersInternals {
  const found = internals.get(feature);
  if (!found) throw new Error('not a feature made by createContainersFeature');
  return found;
}

/**
 * Wires the store (kept live from the engine's events), its change feed, the container,
 * log, stats and event services over one engine. `groupsOf` says which service groups a
 * container belongs to (the groups feature owns the definitions; this one only asks).
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
  const feed = new ChangeFeed(store);
  const feature: ContainersFeature = {
    engineStatus,
    store,
    containers,
    logs: new LogService(engine, containers),
    stats: new StatsService(containers, collector, store),
    events: new EventStream(store, feed, containers),
    countsByState: () => {
      if (!store.isSynced) return undefined;
      const counts: Record<string, number> = {};
      for (const c of store.summaries()) counts[c.state] = (counts[c.state] ?? 0) + 1;
      return counts;
    },
    start: () => store.start(),
    close: async () => {
      collector.close();
      await store.close();
    },
  };
  internals.set(feature, { store, feed, collector });
  return feature;
}
