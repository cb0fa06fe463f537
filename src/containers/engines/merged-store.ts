import { EventEmitter } from 'node:events';
import type { ContainerRecord } from '../../docker/container-record.js';
import { appError } from '../../errors.js';
import type { ContainerChange } from '../container-store.js';
import type { ContainerSummary, GroupsOf } from '../container-view.js';
import type { EngineUnit } from './engine-unit.js';

/** One engine going away or coming back (its store lost or regained sync). */
export interface EngineTransition {
  engine: string;
  synced: boolean;
  time: string;
}

interface MergedEvents {
  change: [ContainerChange];
  /** Some engine synced. */
  synced: [];
  /** No engine is synced any more (with one engine: that engine was lost). */
  lost: [];
  /** An attempt failed and no engine is synced. */
  failed: [];
  engine: [EngineTransition];
}

export interface ContainerIdentity {
  engine: string;
  id: string;
  name: string;
  groups: readonly string[];
}

/**
 * The stores of every engine read as one: lists merge them, lookups search them, changes
 * of each are re-emitted as they come. A store that lost its engine keeps its last
 * picture; its containers are shown with `stale: true` and `lastSeen` (when it was last
 * in sync) until it resyncs. Nothing here waits on an engine: one that is down or slow
 * never holds the others up.
 *
 * Container ids are the engines' own. Two engines giving the same 64-hex id would take
 * the same daemon configured twice; lookups by id then take the first engine unless the
 * engine is named, and a reference matching both is AMBIGUOUS (see container-resolver.ts).
 */
export class MergedStore extends EventEmitter<MergedEvents> {
  /** Bumped when an engine is lost or resynced: stale marks change without a store change. */
  private epoch = 0;
  private readonly lostAt = new Map<string, string>();
  private staleViews = new WeakMap<ContainerSummary, ContainerSummary>();
  private list: { generation: number; list: readonly ContainerSummary[] } | undefined;
  private readonly byName: ReadonlyMap<string, EngineUnit>;

  constructor(
    readonly units: readonly EngineUnit[],
    readonly groupsOf: GroupsOf,
  ) {
    super();
    this.setMaxListeners(0);
    this.byName = new Map(units.map((u) => [u.name, u]));
    for (const u of units) {
      u.store.on('change', (change) => this.emit('change', change));
      u.store.on('synced', () => this.transition(u, true));
      u.store.on('lost', () => this.transition(u, false));
      u.store.on('failed', () => {
        if (!this.isSynced) this.emit('failed');
      });
    }
  }

  /** The unit of an engine by its exact name. */
  unit(name: string): EngineUnit | undefined {
    return this.byName.get(name);
  }

  /** At least one engine is synced: there is something true to answer with. */
  get isSynced(): boolean {
    return this.units.some((u) => u.store.isSynced);
  }

  get size(): number {
    return this.units.reduce((n, u) => n + u.store.size, 0);
  }

  /** When an engine was last in sync, while it is not (undefined when it is, or never was). */
  lastSeen(engine: string): string | undefined {
    return this.lostAt.get(engine);
  }

  /**
   * Waits until the merged picture can be answered: every required engine synced, or every
   * engine settled (synced, or its last attempt failed) with at least one synced. Throws
   * DOCKER_UNAVAILABLE when no engine is synced once all settled or the time is up. A
   * required engine still connecting holds the answer up to `timeoutMs`; an optional one never.
   */
  async ready(timeoutMs = 5_000): Promise<void> {
    const verdict = this.verdict();
    if (verdict === 'ok') return;
    if (verdict === 'fail') throw appError('DOCKER_UNAVAILABLE');
    await new Promise<void>((resolve, reject) => {
      const settle = () => {
        const v = this.verdict();
        if (v === 'wait') return;
        done(v === 'ok');
      };
      const done = (ok: boolean) => {
        clearTimeout(timer);
        for (const u of this.units) {
          u.store.off('synced', settle);
          u.store.off('failed', settle);
        }
        if (ok) resolve();
        else reject(appError('DOCKER_UNAVAILABLE'));
      };
      const timer = setTimeout(() => done(this.isSynced), timeoutMs);
      for (const u of this.units) {
        u.store.on('synced', settle);
        u.store.on('failed', settle);
      }
    });
  }

  private verdict(): 'ok' | 'fail' | 'wait' {
    if (this.units.every((u) => !u.required || u.store.isSynced) && this.isSynced) return 'ok';
    // Each store's own ready() answers at once unless it is still connecting for the first time.
    const settled = this.units.every((u) => u.store.isSynced || u.store.isFailing);
    if (!settled) return 'wait';
    return this.isSynced ? 'ok' : 'fail';
  }

  /** Every container of every engine, stale ones marked. Shared: never change it. */
  summaries(now = Date.now()): readonly ContainerSummary[] {
    const generation = this.generation(now);
    if (this.list?.generation === generation) return this.list.list;
    let list: readonly ContainerSummary[];
    const only = this.units.length === 1 ? this.units[0] : undefined;
    if (only?.store.isSynced) list = only.store.summaries(now);
    else {
      const all: ContainerSummary[] = [];
      for (const u of this.units) {
        const synced = u.store.isSynced;
        for (const c of u.store.summaries(now)) all.push(synced ? c : this.staleView(c));
      }
      list = all;
    }
    this.list = { generation, list };
    return list;
  }

  /** The sum of every store's generation and the stale epoch: it moves whenever any view may have. */
  generation(now = Date.now()): number {
    let generation = this.epoch;
    for (const u of this.units) generation += u.store.generation(now);
    return generation;
  }

  *identities(): Generator<ContainerIdentity> {
    for (const u of this.units) for (const c of u.store.identities()) yield { engine: u.name, ...c };
  }

  /** The identities with exactly this full id or name, on `engine` when given, found without a scan. */
  exact(ref: string, engine?: string): ContainerIdentity[] {
    const found: ContainerIdentity[] = [];
    for (const u of this.unitsFor(engine)) for (const c of u.store.exact(ref)) found.push({ engine: u.name, ...c });
    return found;
  }

  /** The list view of one container by full id (on `engine` when given, else the first engine that has it). */
  summary(id: string, now = Date.now(), engine?: string): ContainerSummary | undefined {
    for (const u of this.unitsFor(engine)) {
      const s = u.store.summary(id, now);
      if (s) return u.store.isSynced ? s : this.staleView(s);
    }
    return undefined;
  }

  /** The stored record of one container by full id (on `engine` when given). */
  record(id: string, engine?: string): ContainerRecord | undefined {
    for (const u of this.unitsFor(engine)) {
      const r = u.store.record(id);
      if (r) return r;
    }
    return undefined;
  }

  /** The unit holding this container (by full id), if any. */
  unitOf(id: string, engine?: string): EngineUnit | undefined {
    return this.unitsFor(engine).find((u) => u.store.record(id) !== undefined);
  }

  private unitsFor(engine: string | undefined): readonly EngineUnit[] {
    if (engine === undefined) return this.units;
    const u = this.byName.get(engine);
    return u ? [u] : [];
  }

  private staleView(c: ContainerSummary): ContainerSummary {
    let view = this.staleViews.get(c);
    if (!view) {
      const lastSeen = this.lostAt.get(c.engine);
      view = Object.freeze({ ...c, stale: true as const, ...(lastSeen ? { lastSeen } : {}) });
      this.staleViews.set(c, view);
    }
    return view;
  }

  private transition(u: EngineUnit, synced: boolean): void {
    const time = new Date().toISOString();
    if (synced) this.lostAt.delete(u.name);
    else this.lostAt.set(u.name, time);
    this.epoch++;
    this.staleViews = new WeakMap();
    this.list = undefined;
    this.emit('engine', { engine: u.name, synced, time });
    if (synced) this.emit('synced');
    else if (!this.isSynced) this.emit('lost');
  }
}
