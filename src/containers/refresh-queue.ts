/**
 * Per container, the engine actions still waiting for an inspect, in arrival order, and
 * the one drain under way. Actions that arrive while an inspect is under way wait for the
 * next one, which then serves them all as one batch: `docker restart` (kill, die, stop,
 * start, restart) costs two inspects, not five.
 */
export class RefreshQueue {
  private readonly queued = new Map<string, string[]>();
  private readonly draining = new Map<string, Promise<void>>();

  /** `process` handles one batch of one container (an inspect, then its changes). */
  constructor(private readonly process: (id: string, batch: string[]) => Promise<void>) {}

  /** Queues an action; settles once a batch that holds it was processed. */
  push(id: string, action: string): Promise<void> {
    const queue = this.queued.get(id);
    if (queue) queue.push(action);
    else this.queued.set(id, [action]);
    const running = this.draining.get(id);
    if (running) return running;
    // Started a microtask later, so that it is registered before it can finish.
    const task = Promise.resolve().then(() => this.drain(id));
    this.draining.set(id, task);
    return task;
  }

  private async drain(id: string): Promise<void> {
    try {
      for (let batch = this.take(id); batch.length > 0; batch = this.take(id)) {
        try {
          await this.process(id, batch);
        } catch (err) {
          this.queued.delete(id); // the resync after the reconnect catches up
          throw err;
        }
      }
    } finally {
      // In the same turn as the last empty check: an action queued later starts a new drain.
      this.draining.delete(id);
    }
  }

  private take(id: string): string[] {
    const batch = this.queued.get(id) ?? [];
    this.queued.delete(id);
    return batch;
  }
}
