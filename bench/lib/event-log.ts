/**
 * Events of one stream kept in arrival order, with waiters woken on each new event and at
 * the end: what the bench's stream readers (ours over SSE, the engine's own /events) share,
 * so a caller can find an event that came before it started waiting.
 */
export class EventLog<T> {
  readonly events: T[] = [];
  private waiters: (() => void)[] = [];
  private ended = false;

  push(event: T): void {
    this.events.push(event);
    this.wake();
  }

  finish(): void {
    this.ended = true;
    this.wake();
  }

  /** The first event at index >= `from` that matches, waiting up to `timeoutMs`; the messages name the stream and what was awaited. */
  async waitFor(match: (e: T) => boolean, timeoutMs: number, from: number, endedMessage: string, timeoutMessage: string): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.events.length; index++) {
        const e = this.events[index] as T;
        if (match(e)) return e;
      }
      if (this.ended) throw new Error(endedMessage);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(timeoutMessage);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    for (const fn of this.waiters.splice(0)) fn();
  }
}
