import type { DockerEngine } from '../docker/engine.js';
import { isUnreachable } from '../docker/engine-errors.js';
import type { EngineInfo } from '../docker/engine.js';

export interface EngineState {
  reachable: boolean;
  checkedAt: string | null;
  info: EngineInfo | null;
  /** What to do about it, when unreachable. */
  hint?: string;
}

const HINT = 'Start the Docker engine (or run scripts/setup-engine.sh) and check DOCKER_HOST; the service reconnects by itself.';

/**
 * Knows whether the engine answers. Probes are cached briefly so that a busy /ready or
 * /metrics endpoint does not turn into a ping storm against the engine.
 */
export class EngineStatus {
  private state: EngineState = { reachable: false, checkedAt: null, info: null, hint: HINT };
  private lastCheck = 0;
  private inFlight: Promise<EngineState> | undefined;
  private readonly listeners = new Set<(reachable: boolean) => void>();

  constructor(
    private readonly engine: DockerEngine,
    private readonly cacheMs = 1000,
  ) {}

  get current(): EngineState {
    return this.state;
  }

  /** Engine API version as a number (e.g. 1.41), or undefined before the first contact. */
  get apiVersion(): number | undefined {
    return this.state.info ? Number(this.state.info.apiVersion) : undefined;
  }

  onChange(listener: (reachable: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Probes the engine unless a probe younger than the cache period answered. */
  async check(force = false): Promise<EngineState> {
    if (!force && Date.now() - this.lastCheck < this.cacheMs) return this.state;
    this.inFlight ??= this.probe().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Records what an ordinary engine call just learned, without a probe of its own. */
  observe(err: unknown): void {
    if (err === undefined) {
      if (!this.state.reachable) void this.check(true);
    } else if (isUnreachable(err)) {
      this.set({ reachable: false, info: this.state.info, hint: HINT });
    }
  }

  private async probe(): Promise<EngineState> {
    try {
      await this.engine.ping();
      const info = this.state.info && this.state.reachable ? this.state.info : await this.engine.info();
      this.set({ reachable: true, info });
    } catch {
      this.set({ reachable: false, info: this.state.info, hint: HINT });
    }
    this.lastCheck = Date.now();
    return this.state;
  }

  private set(next: Omit<EngineState, 'checkedAt'>): void {
    const changed = next.reachable !== this.state.reachable;
    this.state = { ...next, checkedAt: new Date().toISOString() };
    if (changed) for (const listener of this.listeners) listener(next.reachable);
  }
}
