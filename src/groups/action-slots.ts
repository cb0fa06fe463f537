import { appError } from '../errors.js';

/**
 * Engine start/stop calls the runner has in flight at most, across all operations. The
 * engine serialises part of each start (network and mount set-up) behind its own locks;
 * ~10 at once keeps it busy without piling up calls that would only queue there (and hit
 * ENGINE_TIMEOUT_MS waiting).
 */
export const MEMBER_ACTION_CONCURRENCY = 10;

/**
 * A counting semaphore whose waiters leave the queue as soon as their operation is
 * cancelled: a member still waiting for a slot is never acted on after a cancel.
 */
export class ActionSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number = MEMBER_ACTION_CONCURRENCY) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`action slots: limit must be a positive integer, got ${limit}`);
    this.free = limit;
  }

  /** Calls in flight right now. */
  get busy(): number {
    return this.limit - this.free;
  }

  /** Runs `work` once a slot is free; rejects GROUP_OPERATION_CANCELLED (without running it) if `signal` aborts first. */
  async run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    await this.acquire(signal);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(appError('GROUP_OPERATION_CANCELLED'));
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(grant);
        if (at !== -1) this.waiting.splice(at, 1);
        reject(appError('GROUP_OPERATION_CANCELLED'));
      };
      this.waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot straight to the next waiter (it stays taken), or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
