import { appError } from '../../errors.js';
import { ENGINE_LOST_EVENT } from '../../http/sse/open.js';
import { applyFilters, type ContainerService } from '../container-service.js';
import type { Viewer } from '../../access/principal.js';
import type { ContainerChange } from '../container-store.js';
import type { ContainerSummary } from '../container-view.js';
import type { ContainerStats, ContainerUsage, ListFilters, StatsSet, UsageTotals } from '../schemas.js';
import type { ContainerReader } from '../store-reader.js';
import type { ContainerStatsSink, StatsSetSink, StreamSink } from '../stream-sink.js';
import type { CommonStreamEvents } from '../../http/sse/events.js';
import type { MergedCollector } from '../engines/merged-collector.js';
import type { EngineTransition } from '../engines/merged-store.js';

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

/**
 * Resource use of one container or of a filtered set, from the shared collector: one-off
 * answers, and live streams of it (a slow reader skips samples, only the latest matters).
 */
export class StatsService {
  constructor(
    private readonly containers: ContainerService,
    private readonly collector: MergedCollector,
    private readonly store: ContainerReader,
  ) {}

  /** Usage of these containers (running ones; no viewer check: for other features' own views). */
  usage(ids: readonly string[]): Promise<Map<string, ContainerUsage>> {
    return this.collector.usage(ids);
  }

  /** Usage for a background reader (history) that must not keep the shared sampling going: see StatsCollector.backgroundUsage. */
  background(ids: readonly string[], maxGapMs: number): Promise<Map<string, ContainerUsage>> {
    return this.collector.backgroundUsage(ids, maxGapMs);
  }

  /** Every shared sample (running containers by id) until the returned function is called: keeps sampling going. */
  subscribe(listener: (usage: ReadonlyMap<string, ContainerUsage>) => void): () => void {
    return this.collector.subscribe(listener);
  }

  /** Every running container (as the service sees them) with its usage, for the metrics gauges. */
  async running(): Promise<{ container: ContainerSummary; usage: ContainerUsage }[]> {
    const running = this.store.summaries().filter((c) => c.state === 'running');
    const usage = await this.collector.usage(running.map((c) => c.id));
    return running.flatMap((container) => {
      const u = usage.get(container.id);
      return u ? [{ container, usage: u }] : [];
    });
  }

  /** One container's latest usage; 409 when it is not running. */
  async sample(ref: string, viewer: Viewer): Promise<ContainerStats> {
    let target = await this.containers.resolve(ref, viewer);
    // Its engine is lost: there are no numbers to give, only the last-seen state.
    if (target.stale) throw appError('DOCKER_UNAVAILABLE', `The engine ${target.engine} is unreachable; ${target.name} is shown as last seen`);
    // Just started a moment ago? The store may not have seen the start event yet.
    if (target.state !== 'running') target = await this.containers.refreshed(target);
    if (target.state !== 'running') {
      throw appError('CONTAINER_NOT_RUNNING', `Container ${target.name} is ${target.state}; stats exist only while it runs`);
    }
    const usage = (await this.collector.usage([target.id])).get(target.id);
    if (!usage) throw appError('CONTAINER_NOT_RUNNING', `Container ${target.name} stopped while being sampled`);
    return { engine: target.engine, id: target.id, name: target.name, ...usage };
  }

  /** Usage of every running container matching the filters, with totals. */
  async set(filters: ListFilters, viewer: Viewer): Promise<StatsSet> {
    const running = await this.containers.list({ ...filters, all: false }, viewer);
    return this.combine(running, await this.collector.usage(running.map((c) => c.id)));
  }

  /** One container's usage as a stream: a `stats` event per shared sample, `end` when it stops. */
  async watch(ref: string, viewer: Viewer, open: ContainerStatsSink): Promise<void> {
    const first = await this.sample(ref, viewer);
    const stream = open();
    stream.send('stats', first);
    const unsubscribe = this.collector.subscribe((usage) => {
      if (stream.congested) return;
      const u = usage.get(first.id);
      if (u) stream.send('stats', { engine: first.engine, id: first.id, name: first.name, ...u });
    });
    const onChange = (change: ContainerChange) => {
      if (change.id !== first.id || change.engine !== first.engine) return;
      if (change.kind === 'removed' || change.container?.state !== 'running') {
        stream.end('end', { reason: 'container stopped', state: change.container?.state ?? 'removed' });
      }
    };
    // Its own engine going away ends it, as the only engine going away does.
    const onEngine = (t: EngineTransition) => {
      if (t.engine === first.engine && !t.synced) stream.end('error', ENGINE_LOST_EVENT);
    };
    this.store.on('change', onChange);
    this.store.on('engine', onEngine);
    this.follow(stream, unsubscribe, () => {
      this.store.off('change', onChange);
      this.store.off('engine', onEngine);
    });
  }

  /** The filtered set as a stream: a `stats` event per shared sample (the set re-filtered each time). */
  async watchSet(filters: ListFilters, viewer: Viewer, open: StatsSetSink): Promise<void> {
    const first = await this.set(filters, viewer);
    const stream = open();
    stream.send('stats', first);
    const unsubscribe = this.collector.subscribe((usage) => {
      if (stream.congested) return; // a slow reader gets the next sample, not a queue
      const matching = applyFilters(this.containers.visible(viewer), { ...filters, all: false });
      stream.send('stats', this.combine(matching, usage));
    });
    this.follow(stream, unsubscribe);
  }

  /** Ends the stream with `error` when the engine goes away; lets everything go when it closes. */
  private follow(stream: StreamSink<CommonStreamEvents>, ...release: (() => void)[]): void {
    const onLost = () => stream.end('error', ENGINE_LOST_EVENT);
    this.store.on('lost', onLost);
    stream.onClose(() => {
      for (const fn of release) fn();
      this.store.off('lost', onLost);
    });
  }

  combine(running: readonly { engine: string; id: string; name: string }[], usage: ReadonlyMap<string, ContainerUsage>): StatsSet {
    const containers: ContainerStats[] = [];
    for (const c of running) {
      const u = usage.get(c.id);
      if (u) containers.push({ engine: c.engine, id: c.id, name: c.name, ...u });
    }
    return { sampledAt: new Date().toISOString(), containers, totals: totalsOf(containers) };
  }
}
