import { EventEmitter } from 'node:events';
import type { ContainerReader } from '../containers/feature.js';
import type { ContainerUsage } from '../containers/schemas.js';
import type { HistoryStore } from './history-store.js';
import { RateTracker, roundRows, type Observed } from './rounds.js';
import { bucketOf } from './tiers.js';

/** Where a round's numbers come from: the stats collector, asked without keeping its timer on. */
export interface UsageSource {
  background(ids: readonly string[], maxGapMs: number): Promise<Map<string, ContainerUsage>>;
}

export interface RecorderOptions {
  /** Running containers sampled per round at most (the rest, by name, wait): bounds cost and disk. */
  maxContainers: number;
  /** How often old buckets are pruned. */
  pruneEveryMs: number;
  now: () => number;
}

/** A round written: the bucket it filled, what it held, how long it took. */
export interface Flush {
  /** Start of the finest bucket written (ms since the epoch). */
  time: number;
  containers: { engine: string; id: string; name: string }[];
  groups: string[];
  durationMs: number;
}

interface RecorderEvents {
  flush: [Flush];
  skipped: [number];
  failed: [unknown];
}

interface RecorderLog {
  warn(obj: object, msg: string): void;
}

/**
 * Samples every running container once per finest bucket, whether or not anyone watches
 * stats, and writes the round in one transaction. Rounds fire on bucket boundaries (so each
 * round fills exactly one bucket); a round still running when the next is due makes that
 * one skip (counted), never pile up. Pruning runs on its own, slower timer.
 */
export class HistoryRecorder extends EventEmitter<RecorderEvents> {
  private readonly rates = new RateTracker();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private closed = false;
  private warnedCap = false;

  constructor(
    private readonly store: HistoryStore,
    private readonly reader: Pick<ContainerReader, 'isSynced' | 'summaries'>,
    private readonly stats: UsageSource,
    private readonly options: RecorderOptions,
    private readonly log: RecorderLog,
  ) {
    super();
    this.setMaxListeners(0);
  }

  private get widthMs(): number {
    return this.store.tiers[0]?.widthMs ?? 10_000;
  }

  start(): void {
    this.closed = false;
    this.schedule();
    this.pruneTimer = setInterval(() => this.prune(), this.options.pruneEveryMs);
    this.pruneTimer.unref();
  }

  /** Stops the timers and waits for a round in progress (the database closes after). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.pruneTimer);
    await this.running;
  }

  private schedule(after = 0): void {
    if (this.closed) return;
    const now = this.options.now();
    // A timer may fire a millisecond before its boundary by the wall clock: never pick the
    // same boundary twice.
    const boundary = Math.max(bucketOf(now, this.widthMs) + this.widthMs, after + this.widthMs);
    this.timer = setTimeout(() => {
      this.schedule(boundary); // the next boundary first: a slow round never shifts the grid
      if (this.running) {
        this.emit('skipped', boundary);
        return;
      }
      this.running = this.round(boundary)
        .catch((err: unknown) => {
          this.log.warn({ err }, 'resource history: a round could not be written');
          this.emit('failed', err);
        })
        .finally(() => (this.running = undefined));
    }, Math.max(0, boundary - now));
    this.timer.unref();
  }

  /**
   * Samples at `boundary` and writes the bucket that ends there (its CPU is the average
   * over that bucket when the collector had sampled at its start). Public for tests.
   */
  async round(boundary: number): Promise<Flush | undefined> {
    if (!this.reader.isSynced) return undefined; // no store yet: nothing is known to run
    const started = this.options.now();
    const running = this.reader
      .summaries()
      .filter((c) => c.state === 'running')
      .sort((a, b) => a.name.localeCompare(b.name));
    if (running.length > this.options.maxContainers && !this.warnedCap) {
      this.warnedCap = true;
      this.log.warn({ running: running.length, max: this.options.maxContainers }, 'resource history: more running containers than HISTORY_MAX_CONTAINERS; the rest are not recorded');
    }
    const sampled = running.slice(0, this.options.maxContainers);
    const usage = await this.stats.background(
      sampled.map((c) => c.id),
      this.widthMs * 2,
    );
    if (this.closed) return undefined;
    const observed: Observed[] = sampled.flatMap((c) => {
      const u = usage.get(c.id);
      const engine = (c as { engine?: string }).engine ?? 'local';
      return u ? [{ engine, id: c.id, name: c.name, groups: c.groups, usage: u }] : [];
    });
    const rows = roundRows(observed, this.rates);
    const time = boundary - this.widthMs;
    this.store.write(time, rows, this.options.now());
    const flush: Flush = {
      time,
      containers: observed.map(({ engine, id, name }) => ({ engine, id, name })),
      groups: rows.filter((r) => r.series.kind === 'group').map((r) => r.series.key),
      durationMs: this.options.now() - started,
    };
    this.emit('flush', flush);
    return flush;
  }

  /** Drops what is older than each tier keeps. */
  prune(): { points: number; series: number } | undefined {
    try {
      return this.store.prune(this.options.now());
    } catch (err) {
      this.log.warn({ err }, 'resource history: pruning failed');
      return undefined;
    }
  }
}
