import { appError } from '../../errors.js';
import type { ContainerService, Viewer } from '../container-service.js';
import type { ContainerStats, ContainerUsage, ListFilters, StatsSet, UsageTotals } from '../schemas.js';
import type { StatsCollector } from './stats-collector.js';

/** Adds up usage over any set of containers (a group, a filter, everything). */
export function totalsOf(stats: readonly ContainerUsage[]): UsageTotals {
  const t: UsageTotals = { containers: stats.length, cpuPercent: 0, memoryUsage: 0, rxBytes: 0, txBytes: 0, readBytes: 0, writeBytes: 0, pids: 0 };
  for (const s of stats) {
    t.cpuPercent += s.cpuPercent ?? 0;
    t.memoryUsage += s.memory.usage;
    t.rxBytes += s.network.rxBytes;
    t.txBytes += s.network.txBytes;
    t.readBytes += s.blockIo.readBytes;
    t.writeBytes += s.blockIo.writeBytes;
    t.pids += s.pids;
  }
  t.cpuPercent = Math.round(t.cpuPercent * 100) / 100;
  return t;
}

/** Resource use of one container or of a filtered set, from the shared collector. */
export class StatsService {
  constructor(
    private readonly containers: ContainerService,
    readonly collector: StatsCollector,
  ) {}

  /** One container's latest usage; 409 when it is not running. */
  async sample(ref: string, viewer: Viewer): Promise<ContainerStats> {
    let target = await this.containers.resolve(ref, viewer);
    // Just started a moment ago? The store may not have seen the start event yet.
    if (target.state !== 'running') target = await this.containers.refreshed(target);
    if (target.state !== 'running') {
      throw appError('CONTAINER_NOT_RUNNING', `Container ${target.name} is ${target.state}; stats exist only while it runs`);
    }
    const usage = (await this.collector.usage([target.id])).get(target.id);
    if (!usage) throw appError('CONTAINER_NOT_RUNNING', `Container ${target.name} stopped while being sampled`);
    return { id: target.id, name: target.name, ...usage };
  }

  /** Usage of every running container matching the filters, with totals. */
  async set(filters: ListFilters, viewer: Viewer): Promise<StatsSet> {
    const running = await this.containers.list({ ...filters, all: false }, viewer);
    return this.combine(running, await this.collector.usage(running.map((c) => c.id)));
  }

  combine(running: readonly { id: string; name: string }[], usage: ReadonlyMap<string, ContainerUsage>): StatsSet {
    const containers: ContainerStats[] = [];
    for (const c of running) {
      const u = usage.get(c.id);
      if (u) containers.push({ id: c.id, name: c.name, ...u });
    }
    return { sampledAt: new Date().toISOString(), containers, totals: totalsOf(containers) };
  }
}
