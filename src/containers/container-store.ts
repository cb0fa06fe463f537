import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { readContainerEvents, type ContainerEvent } from '../docker/container-events.js';
import { sameState, type ContainerRecord } from '../docker/container-record.js';
import type { DockerEngine } from '../docker/engine.js';
import { appError, isAppError } from '../errors.js';
import { mapLimit } from '../lib/concurrency.js';
import { firstEvent } from '../lib/first-event.js';
import type { ContainerSummary, GroupsOf } from './container-view.js';
import { RefreshQueue } from './refresh-queue.js';
import { ContainerSnapshot, type StoredIdentity } from './store-snapshot.js';

/** What the store tells its listeners after it applied a change. */
export interface ContainerChange {
  kind: 'added' | 'updated' | 'removed';
  /** The engine the container runs on. */
  engine: string;
  /** The engine's action (start, die, health_status, …) or "resync". */
  action: string;
  id: string;
  name: string;
  time: string;
  /** The container after the change; absent once removed. */
  container?: ContainerSummary;
  /** Its service groups (before removal, for a removed one): who may see the change. */
  groups: string[];
  exitCode?: number; // a `die`'s, from the engine's event: an inspect after a quick restart shows 0
}

export { DEFAULT_STORE_OPTIONS, STATE_ACTIONS, type StoreOptions } from './store-options.js';
import { DEFAULT_STORE_OPTIONS, STATE_ACTIONS, type StoreOptions } from './store-options.js';

interface StoreEvents {
  change: [ContainerChange];
  synced: [];
  lost: [];
  /** An attempt to follow the engine failed (it may never have been synced). */
  failed: [];
}

/**
 * The service's own picture of the engine's containers. It lists and inspects everything
 * once, then follows the engine's events stream and re-inspects only what changed, so list
 * and details are answered from memory. When the stream breaks (engine restart or outage)
 * the store is marked unsynced, reconnects with backoff and resyncs in full.
 *
 * Its events loop is its one writer: no request puts anything into it. A caller that must
 * read its own write (after a start or stop) waits for the change event showing it (see
 * whenStored in wait-for-container.ts), so every change is also one /events reports.
 */
export class ContainerStore extends EventEmitter<StoreEvents> {
  private readonly snapshot: ContainerSnapshot;
  private readonly refreshes = new RefreshQueue((id, batch) => this.process(id, batch));
  private readonly exitCodes = new Map<string, number>(); // the last `die` exit code per container, from the events
  private synced = false;
  /** The last attempt to follow the engine failed: answer 503 at once, don't wait. */
  private failing = false;
  private closed = false;
  private stream: Readable | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  reconnects = 0;

  constructor(
    private readonly engine: DockerEngine,
    private readonly options: StoreOptions = DEFAULT_STORE_OPTIONS,
    /** Which service groups a container belongs to (shown in every view). */
    readonly groupsOf: GroupsOf = () => [],
  ) {
    super();
    this.setMaxListeners(0);
    this.snapshot = new ContainerSnapshot(groupsOf);
  }

  get isSynced(): boolean {
    return this.synced;
  }

  get size(): number {
    return this.snapshot.size;
  }

  /** The last attempt to follow the engine failed (and it is not synced): a ready() would refuse at once. */
  get isFailing(): boolean {
    return this.failing && !this.synced;
  }

  /** Starts following the engine; returns at once (sync happens in the background). */
  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.resyncTimer);
    this.stream?.destroy();
    this.wakeUp?.();
    await this.loop;
  }

  /** Waits until the store holds a full picture, or throws DOCKER_UNAVAILABLE. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.synced) return;
    if (this.failing || this.closed) throw appError('DOCKER_UNAVAILABLE');
    if (!(await firstEvent(this, 'synced', 'failed', timeoutMs))) throw appError('DOCKER_UNAVAILABLE');
  }

  /** Every container as the list shows it, made when each change was applied (see store-snapshot.ts). Shared: never change it. */
  summaries(now = Date.now()): readonly ContainerSummary[] {
    return this.snapshot.summaries(now);
  }

  /**
   * Bumped by every change the store applies (create, start, die, rename, destroy, health,
   * a resync that found something new; group membership follows names and labels, so it
   * changes with them) and by every status text that moved on by `now`. Whatever is
   * derived from the store's views holds while the generation stays the same.
   */
  generation(now = Date.now()): number {
    return this.snapshot.generation(now);
  }

  /** Id, name and groups of every container, for resolving a reference without building views. */
  identities(): Iterable<StoredIdentity> {
    return this.snapshot.identities();
  }

  /** The identities with exactly this full id or name (see ContainerSnapshot.exact). */
  exact(ref: string): StoredIdentity[] {
    return this.snapshot.exact(ref);
  }

  /** The list view of one container (by full id). */
  summary(id: string, now = Date.now()): ContainerSummary | undefined {
    return this.snapshot.summary(id, now);
  }

  /** The stored record of one container (by full id). */
  record(id: string): ContainerRecord | undefined {
    return this.snapshot.get(id);
  }

  private async run(): Promise<void> {
    let delay = this.options.reconnectMinMs;
    while (!this.closed) {
      try {
        await this.follow();
        delay = this.options.reconnectMinMs;
      } catch {
        // Engine unreachable: retried below with backoff.
      }
      this.markLost();
      if (this.closed) break;
      this.reconnects++;
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.options.reconnectMaxMs);
    }
  }

  /** One connection: subscribe first, then sync, so no event falls between the two. */
  private async follow(): Promise<void> {
    const stream = await this.engine.containerEvents();
    this.stream = stream;
    if (this.closed) {
      stream.destroy(); // close() ran while we were connecting
      return;
    }
    const pending: ContainerEvent[] = [];
    let live = false;
    const ended = readContainerEvents(stream, (event) => (live ? this.onEvent(event) : pending.push(event)));
    try {
      await this.fullSync();
    } catch (err) {
      stream.destroy();
      throw err;
    }
    if (this.closed) {
      stream.destroy();
      return;
    }
    live = true;
    for (const event of pending.splice(0)) this.onEvent(event);
    this.synced = true;
    this.failing = false;
    this.emit('synced');
    clearInterval(this.resyncTimer);
    this.resyncTimer = setInterval(() => void this.fullSync().catch(() => stream.destroy()), this.options.resyncIntervalMs);
    this.resyncTimer.unref();
    await ended;
    clearInterval(this.resyncTimer);
  }

  /** Lists everything and inspects what is new or changed; forgets what is gone. */
  private async fullSync(): Promise<void> {
    const listed = await this.engine.listContainers();
    const seen = new Set(listed.map((c) => c.id));
    const stale = listed.filter((c) => {
      const known = this.snapshot.get(c.id);
      return !known || known.state !== c.state || !c.status.includes(known.health?.status ?? '') || c.name !== known.name;
    });
    await mapLimit(stale, this.options.inspectConcurrency, (c) => this.refreshes.push(c.id, 'resync'));
    for (const id of this.snapshot.ids()) if (!seen.has(id)) this.remove(id, 'resync');
  }

  private onEvent(event: ContainerEvent): void {
    if (event.exitCode !== undefined) this.exitCodes.set(event.id, event.exitCode);
    if (event.action === 'destroy' || event.action === 'health_status' || STATE_ACTIONS.has(event.action)) {
      void this.refreshes.push(event.id, event.action).catch(() => undefined);
    }
  }

  /**
   * Re-inspects one container after a batch of engine actions and publishes one change per
   * action, in the engine's order and with the engine's action: /events shows every step,
   * each with the container as inspected after it. A destroy is applied in its turn too
   * (after what came before it), so an inspect that was under way cannot bring a removed
   * container back.
   */
  private async process(id: string, batch: string[]): Promise<void> {
    if (batch.includes('destroy')) {
      this.remove(id, 'destroy');
      return;
    }
    let record: ContainerRecord;
    try {
      record = await this.engine.inspectContainer(id);
    } catch (err) {
      if (isAppError(err) && err.code === 'CONTAINER_NOT_FOUND') {
        this.remove(id, batch.at(-1) as string);
        return;
      }
      throw err;
    }
    // A resync only confirms; next to real actions it adds nothing.
    const actions = batch.some((a) => a !== 'resync') ? batch.filter((a) => a !== 'resync') : batch;
    for (const a of actions) this.apply(record, a);
  }

  private apply(record: ContainerRecord, action: string): void {
    const before = this.snapshot.set(record);
    if (before && sameState(before, record) && action === 'resync') return;
    const container = this.snapshot.summary(record.id) as ContainerSummary;
    const exitCode = action === 'die' ? (this.exitCodes.get(record.id) ?? record.exitCode) : undefined;
    this.emit('change', {
      kind: before ? 'updated' : 'added',
      engine: record.engine,
      action,
      id: record.id,
      name: container.name,
      time: new Date().toISOString(),
      container,
      groups: container.groups,
      ...(exitCode !== undefined ? { exitCode } : {}),
    });
  }

  private remove(id: string, action: string): void {
    const last = this.snapshot.summary(id);
    this.exitCodes.delete(id);
    if (!last || !this.snapshot.delete(id)) return;
    this.emit('change', { kind: 'removed', engine: last.engine, action, id, name: last.name, time: new Date().toISOString(), groups: last.groups });
  }

  private markLost(): void {
    this.stream = undefined;
    this.failing = true;
    this.emit('failed');
    if (this.synced) {
      this.synced = false;
      this.emit('lost');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
