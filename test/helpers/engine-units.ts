import type { ContainerStore } from '../../src/containers/container-store.js';
import { EngineStatus } from '../../src/containers/engine-status.js';
import type { EngineUnit } from '../../src/containers/engines/engine-unit.js';
import { MergedStore } from '../../src/containers/engines/merged-store.js';
import { StatsCollector } from '../../src/containers/stats/stats-collector.js';
import type { DockerEngine } from '../../src/docker/engine.js';

/** One engine's unit over a store a unit test built itself (fake engine, no cgroups). */
export function unitOver(engine: DockerEngine, store: ContainerStore, name = 'local', required = true): EngineUnit {
  return { name, url: `unix:///fake/${name}.sock`, required, engine, status: new EngineStatus(engine), store, collector: new StatsCollector(engine, store, undefined, () => true) };
}

/** The merged store over these units, as the containers feature builds it. */
export function mergedOver(...units: EngineUnit[]): MergedStore {
  return new MergedStore(units, (units[0] as EngineUnit).store.groupsOf);
}
