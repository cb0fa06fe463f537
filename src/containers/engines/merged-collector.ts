import { EventEmitter } from 'node:events';
import type { ContainerUsage } from '../schemas.js';
import type { EngineUnit } from './engine-unit.js';
import type { MergedStore } from './merged-store.js';

type UsageMap = ReadonlyMap<string, ContainerUsage>;

/**
 * Every engine's stats collector read as one. Each collector samples its own engine on its
 * own timer; a one-off ask goes to each engine concerned at once, and when it spans
 * several engines, one that has not answered by the deadline is left out of that answer
 * rather than holding the others up. Subscribers get one merged sample per interval.
 */
export class MergedCollector {
  private readonly events = new EventEmitter<{ sample: [UsageMap] }>();
  private readonly latest = new Map<string, UsageMap>();
  private readonly unsubscribers: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private fresh = false;
  private subscribers = 0;

  constructor(
    private readonly store: MergedStore,
    private readonly intervalMs: number,
    /** How long a set spanning engines waits for the slowest one. */
    private readonly deadlineMs = Math.max(2_500, 3 * intervalMs),
  ) {
    this.events.setMaxListeners(0);
  }

  /** Usage of these containers (full ids; running ones), each from its engine's collector. */
  async usage(ids: readonly string[]): Promise<Map<string, ContainerUsage>> {
    return this.perEngine(ids, (unit, wanted) => unit.collector.usage(wanted));
  }

  /** Usage for a background reader (history): each engine's collector without keeping its sampling going. */
  async backgroundUsage(ids: readonly string[], maxGapMs: number): Promise<Map<string, ContainerUsage>> {
    return this.perEngine(ids, (unit, wanted) => unit.collector.backgroundUsage(wanted, maxGapMs));
  }

  private async perEngine(ids: readonly string[], ask: (unit: EngineUnit, wanted: string[]) => Promise<Map<string, ContainerUsage>>): Promise<Map<string, ContainerUsage>> {
    const byUnit = new Map<EngineUnit, string[]>();
    for (const id of ids) {
      const unit = this.store.unitOf(id);
      // A lost engine has no current numbers; asking it would only wait for its timeout.
      if (unit?.store.isSynced) byUnit.set(unit, [...(byUnit.get(unit) ?? []), id]);
    }
    const out = new Map<string, ContainerUsage>();
    const bounded = byUnit.size > 1;
    const parts = await Promise.all([...byUnit].map(([unit, wanted]) => (bounded ? this.withDeadline(ask(unit, wanted)) : ask(unit, wanted))));
    for (const part of parts) for (const [id, usage] of part) out.set(id, usage);
    return out;
  }

  /** Receives a merged sample per interval (the latest of each engine) until the returned function is called. */
  subscribe(listener: (usage: UsageMap) => void): () => void {
    const units = this.store.units;
    if (units.length === 1) return (units[0] as EngineUnit).collector.subscribe(listener);
    this.events.on('sample', listener);
    if (this.subscribers++ === 0) this.startMerging();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.events.off('sample', listener);
      if (--this.subscribers === 0) this.stopMerging();
    };
  }

  close(): void {
    this.stopMerging();
    for (const u of this.store.units) u.collector.close();
  }

  private startMerging(): void {
    for (const u of this.store.units) {
      this.unsubscribers.push(
        u.collector.subscribe((usage) => {
          this.latest.set(u.name, usage);
          this.fresh = true;
        }),
      );
    }
    this.timer = setInterval(() => this.emitMerged(), this.intervalMs);
    this.timer.unref();
  }

  private stopMerging(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const off of this.unsubscribers.splice(0)) off();
    this.latest.clear();
  }

  private emitMerged(): void {
    if (!this.fresh) return;
    this.fresh = false;
    const merged = new Map<string, ContainerUsage>();
    for (const u of this.store.units) {
      // An engine that is not synced has no current numbers: its containers drop out of the set.
      if (!u.store.isSynced) continue;
      for (const [id, usage] of this.latest.get(u.name) ?? []) merged.set(id, usage);
    }
    this.events.emit('sample', merged);
  }

  private withDeadline(promise: Promise<Map<string, ContainerUsage>>): Promise<Map<string, ContainerUsage>> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Map<string, ContainerUsage>>((resolve) => {
      timer = setTimeout(() => resolve(new Map()), this.deadlineMs);
    });
    return Promise.race([promise.catch(() => new Map<string, ContainerUsage>()), late]).finally(() => clearTimeout(timer));
  }
}
