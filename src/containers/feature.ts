import type { Config } from '../config.js';
import type { DockerEngine } from '../docker/engine.js';
import { ChangeFeed } from './change-feed.js';
import { ContainerService } from './container-service.js';
import type { ContainerStore } from './container-store.js';
import type { GroupsOf } from './container-view.js';
import { createEngineUnit, type EngineUnit } from './engines/engine-unit.js';
import { MergedCollector } from './engines/merged-collector.js';
import { MergedStore } from './engines/merged-store.js';
import type { EngineStatus } from './engine-status.js';
import { EventStream } from './event-stream.js';
import { LogService } from './logs/logs.js';
import type { StatsCollector } from './stats/stats-collector.js';
import { StatsService } from './stats/stats.js';
import type { ContainerReader } from './store-reader.js';

export type { ContainerReader, EngineUnit };

/** The live containers of every engine, merged: what the routes and the other features may call. */
export interface ContainersFeature {
  /** The first engine's status (the one engine without ENGINES_FILE). */
  engineStatus: EngineStatus;
  /** Every engine, in the configured order: name, URL to show, required, status, store. */
  engines: readonly EngineUnit[];
  /** The stores' read side, merged (groups, compose and the probes read it; only each events loop writes). */
  store: ContainerReader;
  containers: ContainerService;
  logs: LogService;
  stats: StatsService;
  events: EventStream;
  /** How many containers are in each state, per engine, from its store; an engine missing until its store is synced. */
  countsByState(): Record<string, Record<string, number>>;
  /** Begins following every engine (each store syncs in the background). */
  start(): void;
  close(): Promise<void>;
}

/** What the feature keeps to itself: the writable stores, the change feed, the stats collectors. */
export interface ContainersInternals {
  /** The first engine's store. */
  store: ContainerStore;
  feed: ChangeFeed;
  /** The first engine's collector. */
  collector: StatsCollector;
  merged: MergedStore;
}

const internals = new WeakMap<ContainersFeature, ContainersInternals>();

/** The feature's internals, for tests that watch them (the feed's numbering, its listeners); features use the interface. */
export function internalsOf(feature: ContainersFeature): ContainersInternals {
  const found = internals.get(feature);
  if (!found) throw new Error('not a feature made by createContainersFeature');
  return found;
}

/**
 * Wires one store (kept live from its engine's events), status and stats collector per
 * engine, merged behind one change feed and the container, log, stats and event services.
 * `engineFor` gives each configured engine's client; `groupsOf` says which service groups
 * a container belongs to (the groups feature owns the definitions; this one only asks).
 */
export function createContainersFeature(
  config: Pick<Config, 'engines' | 'stats'>,
  engineFor: (settings: Config['engines'][number]) => DockerEngine,
  groupsOf: GroupsOf,
): ContainersFeature {
  const several = config.engines.length > 1;
  const units = config.engines.map((settings) => createEngineUnit(settings, engineFor(settings), config.stats, groupsOf, several));
  const store = new MergedStore(units, groupsOf);
  const containers = new ContainerService(store);
  const collector = new MergedCollector(store, config.stats.intervalMs);
  const feed = new ChangeFeed(store);
  const first = units[0] as EngineUnit;
  const feature: ContainersFeature = {
    engineStatus: first.status,
    engines: units,
    store,
    containers,
    logs: new LogService(containers),
    stats: new StatsService(containers, collector, store),
    events: new EventStream(store, feed, containers, several),
    countsByState: () => {
      const out: Record<string, Record<string, number>> = {};
      for (const u of units) {
        if (!u.store.isSynced) continue;
        const counts: Record<string, number> = {};
        for (const c of u.store.summaries()) counts[c.state] = (counts[c.state] ?? 0) + 1;
        out[u.name] = counts;
      }
      return out;
    },
    start: () => {
      for (const u of units) u.store.start();
    },
    close: async () => {
      collector.close();
      await Promise.all(units.map((u) => u.store.close()));
    },
  };
  internals.set(feature, { store: first.store, feed, collector: first.collector, merged: store });
  return feature;
}
