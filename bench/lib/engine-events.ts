import http from 'node:http';
import { EventLog } from './event-log.js';

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
  private readonly log = new EventLog<EngineEvent>();

  private constructor(private readonly request: http.ClientRequest) {}

  /** Opens the stream with the engine's `filters` and resolves once it answered 200. */
  static open(socketPath: string, filters: Record<string, string[]>, timeoutMs = 10_000): Promise<EngineEventReader> {
    const path = `/events?filters=${encodeURIComponent(JSON.stringify(filters))}`;
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath, path, agent: false });
      const reader = new EngineEventReader(req);
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`engine GET /events: no answer in ${timeoutMs} ms`)));
      req.on('error', (err) => {
        reader.log.finish();
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
        res.on('close', () => reader.log.finish());
        resolve(reader);
      });
      req.end();
    });
  }

  /** The first event at index >= `from` for container `id` with `action`, waiting up to `timeoutMs`. */
  async waitFor(id: string, action: string, timeoutMs: number, from = 0): Promise<EngineEvent> {
    return this.log.waitFor((e) => e.id === id && e.action === action, timeoutMs, from, 'engine event stream ended', `no ${action} event of ${id.slice(0, 12)} from the engine within ${timeoutMs} ms`);
  }

  /** Every event so far, in arrival order. */
  get events(): readonly EngineEvent[] {
    return this.log.events;
  }

  close(): void {
    this.request.destroy();
    this.log.finish();
  }

  private receive(line: string): void {
    if (!line.trim()) return;
    const e = JSON.parse(line) as { id?: string; Action?: string; status?: string };
    this.log.push({ id: e.id ?? '', action: e.Action ?? e.status ?? '', at: performance.now() });
  }
}
