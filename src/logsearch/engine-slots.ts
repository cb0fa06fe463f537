import { EventEmitter } from 'node:events';

/**
 * At most `limit` log reads at a time on one engine, over every search: a search across a
 * hundred containers must not open a hundred logs requests at once on the engine that also
 * serves the platform. Waiters are served in arrival order; an aborted waiter leaves the queue.
 */
export class EngineSlots {
  private readonly inUse = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly limit: number) {}

  /** Resolves with a release function once a slot of `engine` is free; rejects if `signal` aborts first. */
  acquire(engine: string, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const release = this.releaser(engine);
    if ((this.inUse.get(engine) ?? 0) < this.limit) {
      this.inUse.set(engine, (this.inUse.get(engine) ?? 0) + 1);
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(engine) ?? [];
      this.waiting.set(engine, queue);
      const grant = () => {
        signal.removeEventListener('abort', abort);
        resolve(release);
      };
      const abort = () => {
        const at = queue.indexOf(grant);
        if (at !== -1) queue.splice(at, 1);
        reject(signal.reason as Error);
      };
      queue.push(grant);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  private releaser(engine: string): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.get(engine)?.shift();
      // The slot passes straight to the next waiter: the count stays as it is.
      if (next) next();
      else this.inUse.set(engine, (this.inUse.get(engine) ?? 1) - 1);
    };
  }
}

interface ReadEvents {
  change: [number];
}

/**
 * The engine log reads open right now (a read counts from its request until its body
 * closed). It backs the `gdm_logsearch_engine_reads` gauge and lets tests see that a
 * cancelled search really let go of the engine.
 */
export class OpenReads extends EventEmitter<ReadEvents> {
  private count = 0;

  get open(): number {
    return this.count;
  }

  opened(): void {
    this.emit('change', ++this.count);
  }

  closed(): void {
    this.emit('change', --this.count);
  }
}
