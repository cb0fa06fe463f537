import { EventEmitter } from 'node:events';
import type { CgroupLocation, CgroupReader, RawUsage } from '../../docker/cgroup-reader.js';
import type { DockerEngine } from '../../docker/engine.js';
import type { ContainerRecord } from '../../docker/container-record.js';
import { mapLimit } from '../../lib/concurrency.js';
import type { ContainerStore } from '../container-store.js';
import type { CpuCounters } from '../../docker/stats-usage.js';
import type { ContainerUsage } from '../schemas.js';

export interface CollectorOptions {
  /** How often the shared sample is taken while someone needs it. */
  intervalMs: number;
  /** Sampling stops this long after the last reader went away. */
  idleMs: number;
  /** Parallel engine stats calls (the fallback source). */
  engineConcurrency: number;
  /** 'auto': cgroup files when readable here, else the engine's API. */
  source: 'auto' | 'cgroup' | 'engine';
}

export const DEFAULT_COLLECTOR_OPTIONS: CollectorOptions = { intervalMs: 1000, idleMs: 30_000, engineConcurrency: 8, source: 'auto' };

interface Sample {
  raw: RawUsage;
  usage: ContainerUsage;
  source: 'cgroup' | 'engine';
  /** The engine's CPU counters, to pair with a later one-shot sample. */
  cpu?: CpuCounters;
}

interface CollectorEvents {
  sample: [ReadonlyMap<string, ContainerUsage>];
}

/** Two cgroup reads this far apart give a first CPU % without waiting a whole interval. */
const BOOTSTRAP_GAP_MS = 100;

/**
 * Samples running containers only while someone needs the numbers (a stream subscriber,
 * a one-off ask within the idle window, a metrics scrape), shares each sample among all
 * readers, and stops when nobody asks. Local engines are read from cgroup files; remote
 * ones (or where the files are not visible) through the engine's stats API.
 */
export class StatsCollector extends EventEmitter<CollectorEvents> {
  private readonly latest = new Map<string, Sample>();
  private readonly locations = new Map<string, CgroupLocation | null>();
  private subscribers = 0;
  private lastDemand = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly cpuCount: number;

  constructor(
    private readonly engine: DockerEngine,
    private readonly store: ContainerStore,
    private readonly cgroups: CgroupReader | undefined,
    /** True when the engine's API knows `one-shot` (>= 1.41). */
    private readonly supportsOneShot: () => boolean,
    private readonly options: CollectorOptions = DEFAULT_COLLECTOR_OPTIONS,
    cpus = 1,
  ) {
    super();
    this.setMaxListeners(0);
    this.cpuCount = cpus;
    store.on('change', (change) => {
      if (change.kind === 'removed' || change.container?.state !== 'running') {
        this.latest.delete(change.id);
        this.locations.delete(change.id);
      } else if (change.action === 'start' || change.action === 'restart') {
        this.locations.delete(change.id); // a new main process: a new pid
      }
    });
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** Which source answered for this container last (for tests and /health). */
  sourceOf(id: string): 'cgroup' | 'engine' | undefined {
    return this.latest.get(id)?.source;
  }

  /** Usage of these containers (running ones), from the shared sample when it is fresh. */
  async usage(ids: readonly string[]): Promise<Map<string, ContainerUsage>> {
    this.lastDemand = Date.now();
    this.ensureTicking();
    const maxAge = this.options.intervalMs * 1.5;
    const stale = ids.filter((id) => {
      const s = this.latest.get(id);
      return !s || Date.now() - s.raw.at > maxAge;
    });
    if (stale.length > 0) await this.sample(stale);
    const out = new Map<string, ContainerUsage>();
    for (const id of ids) {
      const s = this.latest.get(id);
      if (s) out.set(id, s.usage);
    }
    return out;
  }

  /**
   * Usage for a background reader (resource history) that must not keep the shared timer
   * going: the shared sample when it is fresh, else one round of its own now, which is not
   * counted as demand. A container sampled at most `maxGapMs` ago gets its CPU averaged
   * since then (the reader's whole period), not over a fresh 100 ms bootstrap window.
   */
  async backgroundUsage(ids: readonly string[], maxGapMs: number): Promise<Map<string, ContainerUsage>> {
    const started = Date.now();
    const maxAge = this.options.intervalMs * 1.5;
    const stale = ids.filter((id) => {
      const s = this.latest.get(id);
      return !s || started - s.raw.at > maxAge;
    });
    if (stale.length > 0) await this.sample(stale, maxGapMs);
    const out = new Map<string, ContainerUsage>();
    for (const id of ids) {
      const s = this.latest.get(id);
      // A failed read leaves the old sample: only a fresh one counts.
      if (s && started - s.raw.at <= maxAge) out.set(id, s.usage);
    }
    return out;
  }

  /** Receives every shared sample until the returned function is called. */
  subscribe(listener: (usage: ReadonlyMap<string, ContainerUsage>) => void): () => void {
    this.subscribers++;
    this.on('sample', listener);
    this.ensureTicking();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.subscribers--;
      this.lastDemand = Date.now();
      this.off('sample', listener);
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private ensureTicking(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.subscribers === 0 && Date.now() - this.lastDemand > this.options.idleMs) {
      this.close();
      return;
    }
    if (this.ticking) return; // a slow engine round is still going: skip, never pile up
    const running = this.store.summaries().filter((c) => c.state === 'running').map((c) => c.id);
    this.ticking = this.sample(running).finally(() => (this.ticking = undefined));
    await this.ticking;
    const snapshot = new Map<string, ContainerUsage>();
    for (const id of running) {
      const s = this.latest.get(id);
      if (s) snapshot.set(id, s.usage);
    }
    this.emit('sample', snapshot);
  }

  private async sample(ids: readonly string[], maxGapMs = this.options.intervalMs * 5): Promise<void> {
    const viaCgroup: ContainerRecord[] = [];
    const viaEngine: ContainerRecord[] = [];
    for (const id of ids) {
      const d = this.store.record(id);
      if (!d || !d.running) continue;
      ((await this.locate(d)) ? viaCgroup : viaEngine).push(d);
    }
    await Promise.all([
      Promise.all(viaCgroup.map((d) => this.sampleCgroup(d, maxGapMs).catch(() => this.locations.delete(d.id)))),
      mapLimit(viaEngine, this.options.engineConcurrency, (d) => this.sampleEngine(d).catch(() => undefined)),
    ]);
  }

  private async locate(d: ContainerRecord): Promise<CgroupLocation | null> {
    if (this.options.source === 'engine' || !this.cgroups) return null;
    const known = this.locations.get(d.id);
    if (known !== undefined && (known === null || known.pid === d.pid)) return known;
    const found = (await this.cgroups.locate(d.pid)) ?? null;
    this.locations.set(d.id, found);
    return found;
  }

  private async sampleCgroup(d: ContainerRecord, maxGapMs: number): Promise<void> {
    const location = this.locations.get(d.id);
    if (!location || !this.cgroups) return;
    let previous = this.latest.get(d.id)?.raw;
    if (!previous || Date.now() - previous.at > maxGapMs) {
      previous = await this.cgroups.read(location);
      await new Promise((r) => setTimeout(r, BOOTSTRAP_GAP_MS));
    }
    const raw = await this.cgroups.read(location);
    const elapsedNs = (raw.at - previous.at) * 1e6;
    const cpu = elapsedNs > 0 ? Math.round(((raw.cpuNs - previous.cpuNs) / elapsedNs) * 10_000) / 100 : null;
    this.latest.set(d.id, {
      raw,
      source: 'cgroup',
      usage: {
        read: new Date(raw.at).toISOString(),
        cpuPercent: cpu !== null && cpu >= 0 ? cpu : null,
        onlineCpus: this.cpuCount,
        memory: {
          usage: raw.memoryUsage,
          limit: raw.memoryLimit,
          percent: raw.memoryLimit > 0 ? Math.round((raw.memoryUsage / raw.memoryLimit) * 10_000) / 100 : 0,
        },
        network: { rxBytes: raw.rxBytes, txBytes: raw.txBytes },
        blockIo: { readBytes: raw.readBytes, writeBytes: raw.writeBytes },
        pids: raw.pids,
      },
    });
  }

  private async sampleEngine(d: ContainerRecord): Promise<void> {
    const previous = this.latest.get(d.id);
    const oneShot = this.supportsOneShot() && previous?.source === 'engine' && Date.now() - previous.raw.at < 30_000;
    const sample = await this.engine.containerStats(d.id, oneShot, previous?.source === 'engine' ? previous.cpu : undefined);
    const { usage } = sample;
    const raw: RawUsage = {
      at: sample.at,
      cpuNs: sample.cpuNs,
      memoryUsage: usage.memory.usage,
      memoryLimit: usage.memory.limit,
      ...usage.network,
      ...usage.blockIo,
      pids: usage.pids,
    };
    this.latest.set(d.id, { raw, source: 'engine', cpu: sample.cpu, usage });
  }
}
