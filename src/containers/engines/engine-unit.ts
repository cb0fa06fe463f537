import { availableParallelism } from 'node:os';
import type { Config, EngineConfig } from '../../config.js';
import { CgroupReader } from '../../docker/cgroup-reader.js';
import { displayUrl, isLocalEngine } from '../../docker/connection.js';
import type { DockerEngine } from '../../docker/engine.js';
import { ContainerStore, DEFAULT_STORE_OPTIONS } from '../container-store.js';
import type { GroupsOf } from '../container-view.js';
import { EngineStatus } from '../engine-status.js';
import { DEFAULT_COLLECTOR_OPTIONS, StatsCollector } from '../stats/stats-collector.js';

/**
 * Everything the service keeps for one engine: its client, its status, its store (own
 * events loop, own reconnect backoff) and its stats collector. Nothing is shared between
 * units, so an engine that is down or slow holds up only its own.
 */
export interface EngineUnit {
  name: string;
  /** Without user info, query or fragment: safe to show. */
  url: string;
  required: boolean;
  engine: DockerEngine;
  status: EngineStatus;
  store: ContainerStore;
  collector: StatsCollector;
}

const HINT = 'Start the Docker engine (or run scripts/setup-engine.sh) and check DOCKER_HOST; the service reconnects by itself.';

/** Builds one engine's unit; `several` makes its hint name the engine and ENGINES_FILE. */
export function createEngineUnit(
  settings: EngineConfig,
  engine: DockerEngine,
  stats: Config['stats'],
  groupsOf: GroupsOf,
  several: boolean,
): EngineUnit {
  const hint = several
    ? `Start the Docker engine "${settings.name}" at ${displayUrl(settings.host)} and check its entry in ENGINES_FILE; the service reconnects by itself.`
    : HINT;
  const status = new EngineStatus(engine, 1000, hint);
  const store = new ContainerStore(engine, DEFAULT_STORE_OPTIONS, groupsOf);
  // Readiness follows the store: synced means the engine answered a full list.
  store.on('synced', () => status.observe(undefined));
  store.on('lost', () => void status.check(true));
  store.on('failed', () => void status.check(true));
  const cgroups = stats.source !== 'engine' && isLocalEngine(settings) ? new CgroupReader() : undefined;
  const collector = new StatsCollector(
    engine,
    store,
    cgroups,
    () => (status.apiVersion ?? 0) >= 1.41,
    { ...DEFAULT_COLLECTOR_OPTIONS, source: stats.source, intervalMs: stats.intervalMs },
    availableParallelism(),
  );
  return { name: settings.name, url: displayUrl(settings.host), required: settings.required, engine, status, store, collector };
}
