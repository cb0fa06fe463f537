import { firstEvent } from '../lib/first-event.js';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { SwarmEngine, SwarmNodeRecord, SwarmServiceRecord, SwarmState, SwarmTaskRecord } from '../docker/swarm-engine.js';
import { appError } from '../errors.js';
import { diffById, isSettled } from './swarm-diff.js';

/** One change the store saw, as listeners (the events stream, waiters) get it. */
export interface SwarmChange {
  engine: string;
  kind: 'service' | 'node' | 'task';
  action: 'added' | 'updated' | 'removed';
  id: string;
  /** The service a task belongs to (for visibility); the service itself for a service change. */
  serviceId: string | null;
  /** That service's record at the time (also for one just removed), so listeners can tell who may see it. */
  service?: SwarmServiceRecord;
}

export interface SwarmStoreOptions {
  /** Full re-read period: catches anything the events did not say. */
  resyncIntervalMs: number;
  /** Events come in bursts (one per task and container): one re-read per burst. */
  debounceMs: number;
  /**
   * While tasks are on their way (desired running, not yet running; an update in progress)
   * the engine sends no event for a task's own state: re-read at this pace until settled.
   */
  convergeMs: number;
  /** Give up following an unsettled service at that pace after this many re-reads without a change. */
  convergeMaxIdle: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export const DEFAULT_SWARM_STORE_OPTIONS: SwarmStoreOptions = {
  resyncIntervalMs: 30_000,
  debounceMs: 100,
  convergeMs: 500,
  convergeMaxIdle: 240,
  reconnectMinMs: 500,
  reconnectMaxMs: 5_000,
};

interface StoreEvents {
  change: [SwarmChange];
  /** A re-read finished (after its changes were emitted). */
  synced: [];
  failed: [];
}

const NO_SWARM: SwarmState = { localNodeState: 'inactive', manager: false, nodeId: null };

/**
 * The swarm of one engine as this service sees it: nodes, services and tasks, re-read
 * whenever the engine sends a service, node or container event (tasks run as containers),
 * while tasks converge, and every resyncIntervalMs. An engine that is not a manager simply
 * has none. Its loop is the one writer; requests only read it.
 */
export class SwarmStore extends EventEmitter<StoreEvents> {
  private swarm: SwarmState = NO_SWARM;
  private nodeMap = new Map<string, SwarmNodeRecord>();
  private serviceMap = new Map<string, SwarmServiceRecord>();
  private taskMap = new Map<string, SwarmTaskRecord>();
  private synced = false;
  private failing = false;
  private closed = false;
  private stream: Readable | undefined;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private idleConverge = 0;

  constructor(
    readonly engine: string,
    private readonly client: SwarmEngine,
    private readonly options: SwarmStoreOptions = DEFAULT_SWARM_STORE_OPTIONS,
  ) {
    super();
    this.setMaxListeners(0);
  }

  get state(): SwarmState {
    return this.swarm;
  }

  get isSynced(): boolean {
    return this.synced;
  }

  nodes(): SwarmNodeRecord[] {
    return [...this.nodeMap.values()];
  }

  services(): SwarmServiceRecord[] {
    return [...this.serviceMap.values()];
  }

  service(id: string): SwarmServiceRecord | undefined {
    return this.serviceMap.get(id);
  }

  node(id: string): SwarmNodeRecord | undefined {
    return this.nodeMap.get(id);
  }

  tasks(serviceId?: string): SwarmTaskRecord[] {
    const all = [...this.taskMap.values()];
    return serviceId === undefined ? all : all.filter((t) => t.serviceId === serviceId);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    this.stream?.destroy();
    this.wakeUp?.();
    await this.loop;
    await this.reading?.catch(() => undefined);
  }

  /** Waits for the first full read, or throws DOCKER_UNAVAILABLE. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.synced) return;
    if (this.failing || this.closed) throw appError('DOCKER_UNAVAILABLE');
    if (!(await firstEvent(this, 'synced', 'failed', timeoutMs))) throw appError('DOCKER_UNAVAILABLE');
  }

  /** Asks for a re-read soon (after a change we made, so its effect shows without waiting for an event). */
  poke(): void {
    this.schedule(0);
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
      this.stream = undefined;
      clearInterval(this.resyncTimer);
      if (this.closed) break;
      this.failing = true;
      this.synced = false;
      this.emit('failed');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      delay = Math.min(delay * 2, this.options.reconnectMaxMs);
    }
  }

  /** Subscribe first, then read, so that no event falls between the two. */
  private async follow(): Promise<void> {
    const stream = await this.client.events();
    this.stream = stream;
    if (this.closed) return void stream.destroy();
    const ended = new Promise<void>((resolve) => {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        if (lines.some((line) => this.concerns(line))) this.schedule(this.options.debounceMs);
      });
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    try {
      await this.read();
    } catch (err) {
      stream.destroy();
      throw err;
    }
    this.resyncTimer = setInterval(() => this.schedule(0), this.options.resyncIntervalMs);
    this.resyncTimer.unref();
    await ended;
  }

  /**
   * Whether an engine event may change the swarm picture: a service or node event, or a
   * task's container (on a manager). Plain containers come and go all the time on a shared
   * engine: they cost no re-read.
   */
  private concerns(line: string): boolean {
    if (!line.trim()) return false;
    if (!line.includes('"Type":"container"')) return true;
    return this.swarm.manager && line.includes('com.docker.swarm.task.id');
  }

  private schedule(ms: number): void {
    if (this.closed || !this.stream) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.read().catch(() => this.stream?.destroy()), ms);
  }

  /** One re-read at a time; a request during one makes one more after it. */
  private read(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.readOnce().finally(() => {
      this.reading = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        this.schedule(0);
      }
    });
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    const state = await this.client.state();
    const [nodes, services, tasks] = state.manager
      ? await Promise.all([this.client.listNodes(), this.client.listServices(), this.client.listTasks()])
      : [[], [], []];
    if (this.closed) return;
    this.swarm = state;
    let changed = 0;
    const before = this.serviceMap;
    const emit = (kind: SwarmChange['kind'], serviceId: (r: never) => string | null) => (action: SwarmChange['action'], r: { id: string }) => {
      changed++;
      const sid = serviceId(r as never);
      const service = sid === null ? undefined : (this.serviceMap.get(sid) ?? before.get(sid));
      this.emit('change', { engine: this.engine, kind, action, id: r.id, serviceId: sid, ...(service ? { service } : {}) });
    };
    this.nodeMap = diffById(this.nodeMap, nodes, emit('node', () => null));
    // Services first, so a task's change finds its service (a removed one in `before`).
    this.serviceMap = diffById(before, services, (action, r) => {
      changed++;
      this.emit('change', { engine: this.engine, kind: 'service', action, id: r.id, serviceId: r.id, service: r });
    });
    this.taskMap = diffById(this.taskMap, tasks, emit('task', (t: SwarmTaskRecord) => t.serviceId));
    this.synced = true;
    this.failing = false;
    this.emit('synced');
    // Tasks on their way: follow them closely (no event tells their state), but not for ever.
    this.idleConverge = changed > 0 ? 0 : this.idleConverge + 1;
    if (!isSettled(this.services(), this.tasks()) && this.idleConverge < this.options.convergeMaxIdle) this.schedule(this.options.convergeMs);
  }
}
