import type { Viewer } from '../access/principal.js';
import type { ContainerUsage } from '../containers/schemas.js';
import type { EngineQuery, ServiceStats } from './schemas.js';
import { isRunning } from './swarm-diff.js';
import type { SwarmEngines } from './swarm-engines.js';

/** Usage of containers by id, from the containers feature's shared sample (app.ts hands it over). */
export type TaskUsage = (containerIds: readonly string[]) => Promise<ReadonlyMap<string, ContainerUsage>>;

/** CPU and memory of a service's tasks that run on the engine's own node, with totals. */
export class ServiceStatsReader {
  constructor(
    private readonly engines: SwarmEngines,
    private readonly usage: TaskUsage,
  ) {}

  async read(ref: string, query: EngineQuery, viewer: Viewer): Promise<ServiceStats> {
    const found = await this.engines.findService(ref, query.engine, viewer);
    const store = found.engine.store;
    // Only the engine's own node: a task on another node runs on an engine we do not reach.
    const local = store.tasks(found.record.id).filter((t) => isRunning(t) && t.containerId && t.nodeId === store.state.nodeId);
    const usage = await this.usage(local.map((t) => t.containerId as string));
    const tasks = local.flatMap((t) => {
      const u = usage.get(t.containerId as string);
      return u ? [{ taskId: t.id, slot: t.slot, containerId: t.containerId as string, cpuPercent: u.cpuPercent, memoryUsage: u.memory.usage, memoryLimit: u.memory.limit }] : [];
    });
    const cpu = tasks.reduce((sum, t) => sum + (t.cpuPercent ?? 0), 0);
    return {
      engine: found.engine.name,
      id: found.record.id,
      name: found.record.name,
      tasks,
      totals: { cpuPercent: Math.round(cpu * 100) / 100, memoryUsage: tasks.reduce((sum, t) => sum + t.memoryUsage, 0) },
    };
  }
}
