import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { DockerEngine } from '../docker/engine.js';
import { parseEventLine } from '../docker/engine.js';
import type { EngineContainerDetails, EngineEvent } from '../docker/types.js';
import { appError, isAppError } from '../errors.js';
import { mapLimit } from '../lib/concurrency.js';
import { summaryFromDetails, type ContainerSummary, type GroupsOf } from './container-view.js';

/** What the store tells its listeners after it applied a change. */
export interface ContainerChange {
  kind: 'added' | 'updated' | 'removed';
  /** The engine's action (start, die, health_status, …) or "resync". */
  action: string;
  id: string;
  name: string;
  time: string;
  /** The container after the change; absent once removed. */
  container?: ContainerSummary;
  /** Its service groups (before removal, for a removed one): who may see the change. */
  groups: string[];
}

export interface StoreOptions {
  /** Full resync period: catches anything the events stream missed. */
  resyncIntervalMs: number;
  /** Parallel inspects during a full sync. */
  inspectConcurrency: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  resyncIntervalMs: 60_000,
  inspectConcurrency: 8,
  reconnectMinMs: 250,
  reconnectMaxMs: 2_000,
};

/** Engine actions that change what we show; exec_*, attach, resize, top… do not. */
const STATE_ACTIONS = new Set(['create', 'start', 'restart', 'stop', 'die', 'kill', 'oom', 'pause', 'unpause', 'rename', 'update', 'destroy']);

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
 */
export class ContainerStore extends EventEmitter<StoreEvents> {
  private readonly containers = new Map<string, EngineContainerDetails>();
  private readonly groupCache = new WeakMap<EngineContainerDetails, string[]>();
  private readonly refreshing = new Map<string, Promise<void>>();
  /** Engine actions per container still waiting for an inspect, in arrival order. */
  private readonly queued = new Map<string, string[]>();
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
  }

  get isSynced(): boolean {
    return this.synced;
  }

  get size(): number {
    return this.containers.size;
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
    await new Promise<void>((resolve, reject) => {
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        this.off('synced', onSynced);
        this.off('failed', onFailed);
        if (ok) resolve();
        else reject(appError('DOCKER_UNAVAILABLE'));
      };
      const onSynced = () => settle(true);
      const onFailed = () => settle(false);
      const timer = setTimeout(onFailed, timeoutMs);
      this.once('synced', onSynced);
      this.once('failed', onFailed);
    });
  }

  /** Every container, as the list shows it (status text computed now). */
  summaries(now = Date.now()): ContainerSummary[] {
    return [...this.containers.values()].map((d) => summaryFromDetails(d, now, () => this.groupsFor(d)));
  }

  /** Id, name and groups of every container, for resolving a reference without building views. */
  *identities(): Generator<{ id: string; name: string; groups: readonly string[] }> {
    for (const d of this.containers.values()) yield { id: d.Id, name: d.Name.replace(/^\//, ''), groups: this.groupsFor(d) };
  }

  /** Group membership depends on name and labels only: computed once per inspect result. */
  private groupsFor(d: EngineContainerDetails): string[] {
    let groups = this.groupCache.get(d);
    if (!groups) {
      groups = summaryFromDetails(d, 0, this.groupsOf).groups;
      this.groupCache.set(d, groups);
    }
    return groups;
  }

  /** The list view of one container (by full id). */
  summary(id: string, now = Date.now()): ContainerSummary | undefined {
    const d = this.containers.get(id);
    return d ? summaryFromDetails(d, now, () => this.groupsFor(d)) : undefined;
  }

  /** The stored inspect data of one container (by full id). */
  raw(id: string): EngineContainerDetails | undefined {
    return this.containers.get(id);
  }

  /**
   * Records fresher inspect data of a known container that a caller already has (after
   * its own start/stop), so that it reads its own write. Silently: changes are published by
   * the events loop alone, which gets the engine's event for the same change, so no request
   * can put a change into /events (or its replay buffer) by itself. A container the store
   * does not know yet is left to its create event.
   */
  remember(details: EngineContainerDetails): void {
    if (this.containers.has(details.Id)) this.containers.set(details.Id, details);
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
    const pending: EngineEvent[] = [];
    let live = false;
    const ended = new Promise<void>((resolve) => {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const event = parseEventLine(line);
          if (!event) continue;
          if (live) this.onEvent(event);
          else pending.push(event);
        }
      });
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
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
    const seen = new Set(listed.map((c) => c.Id));
    const stale = listed.filter((c) => {
      const known = this.containers.get(c.Id);
      return !known || known.State.Status !== c.State || !c.Status.includes(known.State.Health?.Status ?? '') || `/${c.Names[0]?.replace(/^\//, '')}` !== known.Name;
    });
    await mapLimit(stale, this.options.inspectConcurrency, (c) => this.refresh(c.Id, 'resync'));
    for (const id of [...this.containers.keys()]) if (!seen.has(id)) this.remove(id, 'resync');
  }

  private onEvent(event: EngineEvent): void {
    if (event.Type !== 'container') return;
    const action = event.Action.startsWith('health_status') ? 'health_status' : event.Action;
    if (action === 'destroy' || action === 'health_status' || STATE_ACTIONS.has(action)) void this.refresh(event.Actor.ID, action).catch(() => undefined);
  }

  /**
   * Re-inspects one container after an engine action and publishes one change per action,
   * in the engine's order and with the engine's action. Actions that arrive while an
   * inspect is under way wait for the next one, which then serves them all: `docker
   * restart` (kill, die, stop, start, restart) costs two inspects, not five, yet /events
   * shows every step, each with the container as inspected after it. A destroy is applied
   * in its turn too (after what came before it), so an inspect that was under way cannot
   * bring a removed container back.
   */
  private refresh(id: string, action: string): Promise<void> {
    const queue = this.queued.get(id);
    if (queue) queue.push(action);
    else this.queued.set(id, [action]);
    const running = this.refreshing.get(id);
    if (running) return running;
    // Started a microtask later, so that it is registered before it can finish.
    const task = Promise.resolve().then(() => this.drain(id));
    this.refreshing.set(id, task);
    return task;
  }

  private async drain(id: string): Promise<void> {
    try {
      for (let batch = this.takeQueued(id); batch.length > 0; batch = this.takeQueued(id)) {
        if (batch.includes('destroy')) {
          this.remove(id, 'destroy');
          continue;
        }
        let details: EngineContainerDetails;
        try {
          details = await this.engine.inspectContainer(id);
        } catch (err) {
          if (isAppError(err) && err.code === 'CONTAINER_NOT_FOUND') {
            this.remove(id, batch.at(-1) as string);
            continue;
          }
          this.queued.delete(id); // the resync after the reconnect catches up
          throw err;
        }
        // A resync only confirms; next to real actions it adds nothing.
        const actions = batch.some((a) => a !== 'resync') ? batch.filter((a) => a !== 'resync') : batch;
        for (const a of actions) this.apply(details, a);
      }
    } finally {
      // In the same turn as the last empty check: an action queued later starts a new drain.
      this.refreshing.delete(id);
    }
  }

  private takeQueued(id: string): string[] {
    const batch = this.queued.get(id) ?? [];
    this.queued.delete(id);
    return batch;
  }

  private apply(details: EngineContainerDetails, action: string): void {
    const before = this.containers.get(details.Id);
    this.containers.set(details.Id, details);
    if (before && sameState(before, details) && action === 'resync') return;
    const container = summaryFromDetails(details, Date.now(), this.groupsOf);
    this.emit('change', {
      kind: before ? 'updated' : 'added',
      action,
      id: details.Id,
      name: container.name,
      time: new Date().toISOString(),
      container,
      groups: container.groups,
    });
  }

  private remove(id: string, action: string): void {
    const before = this.containers.get(id);
    if (!before) return;
    this.containers.delete(id);
    const last = summaryFromDetails(before, Date.now(), this.groupsOf);
    this.emit('change', { kind: 'removed', action, id, name: last.name, time: new Date().toISOString(), groups: last.groups });
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

function sameState(a: EngineContainerDetails, b: EngineContainerDetails): boolean {
  return a.State.Status === b.State.Status && a.State.StartedAt === b.State.StartedAt && a.State.Health?.Status === b.State.Health?.Status && a.Name === b.Name;
}
