import { postChecked, PostError } from './http-post.js';
import type { AllowList, Resolver } from './net-guard.js';
import { render, type AlertNotice } from './notices.js';
import type { NotifierConfig } from './rules-load.js';

export interface DeliveryLimits {
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  queueSize: number;
}

export type DeliveryOutcome = 'sent' | 'failed' | 'dropped';

export interface DeliveryReport {
  notifier: string;
  rule: string;
  state: AlertNotice['state'];
  /** Which notice: its alert (null for a test notice) and container name, so a dropped or failed one can be told apart in the log. */
  alertId: number | null;
  container: string | null;
  outcome: DeliveryOutcome;
  attempts: number;
  status?: number;
  error?: string;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * One notifier's own queue and worker. Enqueueing never waits: the queue is bounded (the
 * oldest notice is dropped, and reported, past it), and the worker sends one notice at a
 * time with a timeout and retries with exponential backoff. A notifier that is down only
 * delays its own queue; the others and the service go on.
 */
export class NotifierWorker {
  private readonly queue: AlertNotice[] = [];
  private running = false;
  private closed = false;
  private wake: (() => void) | undefined;
  /** Aborts the request on the wire when the service closes: a hung receiver must not hold the process open. */
  private readonly closing = new AbortController();

  constructor(
    readonly config: NotifierConfig,
    private readonly limits: DeliveryLimits,
    private readonly allow: AllowList,
    private readonly report: (r: DeliveryReport) => void,
    private readonly resolve?: Resolver,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  enqueue(notice: AlertNotice): void {
    if (this.closed) return;
    if (this.queue.length >= this.limits.queueSize) {
      const dropped = this.queue.shift() as AlertNotice;
      this.report({ ...this.about(dropped), outcome: 'dropped', attempts: 0, error: 'queue full' });
    }
    this.queue.push(notice);
    if (!this.running) void this.drain();
  }

  /** One attempt, now, outside the queue (the admin's test notification). */
  async sendOnce(notice: AlertNotice): Promise<{ ok: boolean; status?: number; error?: string }> {
    try {
      const { status } = await this.post(notice);
      return { ok: true, status };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.wake?.();
    this.closing.abort();
  }

  private about(n: AlertNotice): Pick<DeliveryReport, 'notifier' | 'rule' | 'state' | 'alertId' | 'container'> {
    return { notifier: this.config.name, rule: n.rule, state: n.state, alertId: n.alertId, container: n.container?.name ?? null };
  }

  private post(notice: AlertNotice) {
    const { body, headers } = render(this.config, notice);
    return postChecked(this.config.url, body, headers, { allow: this.allow, timeoutMs: this.limits.timeoutMs, resolve: this.resolve, signal: this.closing.signal });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) await this.deliver(this.queue.shift() as AlertNotice);
    } finally {
      this.running = false;
    }
  }

  private async deliver(notice: AlertNotice): Promise<void> {
    const base = this.about(notice);
    for (let attempt = 1; ; attempt++) {
      try {
        const { status } = await this.post(notice);
        this.report({ ...base, outcome: 'sent', attempts: attempt, status });
        return;
      } catch (err) {
        const retryable = err instanceof PostError ? err.retryable : true;
        if (!retryable || attempt > this.limits.retries || this.closed) {
          this.report({ ...base, outcome: 'failed', attempts: attempt, error: (err as Error).message });
          return;
        }
        await this.pause(Math.min(this.limits.retryBaseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
