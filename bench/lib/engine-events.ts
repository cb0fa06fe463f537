import http from 'node:http';

export interface EngineEvent {
  id: string;
  action: string;
  /** performance.now() when the event's line arrived. */
  at: number;
}

/**
 * An engine's own `GET /events` stream (one JSON object a line) on its unix socket, every
 * event kept with its arrival time: the reference for "how fast does a change show" —
 * what a client of that engine alone would see, with nothing of ours in between.
 */
export class EngineEventReader {
  readonly events: EngineEvent[] = [];
  private waiters: (() => void)[] = [];
  private ended = false;

  private constructor(private readonly request: http.ClientRequest) {}

  /** Opens the stream with the engine's `filters` and resolves once it answered 200. */
  static open(socketPath: string, filters: Record<string, string[]>, timeoutMs = 10_000): Promise<EngineEventReader> {
    const path = `/events?filters=${encodeURIComponent(JSON.stringify(filters))}`;
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath, path, agent: false });
      const reader = new EngineEventReader(req);
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`engine GET /events: no answer in ${timeoutMs} ms`)));
      req.on('error', (err) => {
        reader.finish();
        reject(err);
      });
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`engine GET /events answered ${res.statusCode}`));
          return;
        }
        req.setTimeout(0);
        let rest = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          rest += chunk;
          const lines = rest.split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) reader.receive(line);
        });
        res.on('close', () => reader.finish());
        resolve(reader);
      });
      req.end();
    });
  }

  /** The first event at index >= `from` for container `id` with `action`, waiting up to `timeoutMs`. */
  async waitFor(id: string, action: string, timeoutMs: number, from = 0): Promise<EngineEvent> {
    const deadline = performance.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.events.length; index++) {
        const e = this.events[index] as EngineEvent;
        if (e.id === id && e.action === action) return e;
      }
      if (this.ended) throw new Error('engine event stream ended');
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${action} event of ${id.slice(0, 12)} from the engine within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.request.destroy();
    this.finish();
  }

  private receive(line: string): void {
    if (!line.trim()) return;
    const e = JSON.parse(line) as { id?: string; Action?: string; status?: string };
    this.events.push({ id: e.id ?? '', action: e.Action ?? e.status ?? '', at: performance.now() });
    this.wake();
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const fn of this.waiters.splice(0)) fn();
  }
}
