import http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
  /** performance.now() when the event's last line arrived. */
  at: number;
}

/**
 * A tiny Server-Sent Events client: keeps every event it receives, stamped with its arrival
 * time, so a caller can look for one that came before it started waiting. The wire format
 * is read by eventsource-parser, the project's one SSE parser.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  private waiters: (() => void)[] = [];
  private ended = false;

  private constructor(private readonly request: http.ClientRequest) {}

  /** Opens `path` and resolves once the server answered 200 with text/event-stream. */
  static open(host: string, port: number, path: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host, port, path, headers: { accept: 'text/event-stream', ...headers }, agent: false });
      const reader = new SseReader(req);
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', (err) => {
        reader.finish();
        reject(err);
      });
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${path} answered ${res.statusCode}`));
          return;
        }
        req.setTimeout(0);
        const parser = createParser({ onEvent: (e) => reader.receive(e) });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => parser.feed(chunk));
        res.on('end', () => reader.finish());
        res.on('close', () => reader.finish());
        resolve(reader);
      });
      req.end();
    });
  }

  /** The first event at index >= `from` that matches, waiting up to `timeoutMs` for it. */
  async waitFor(match: (e: SseEvent) => boolean, timeoutMs: number, from = 0): Promise<SseEvent> {
    const deadline = performance.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.events.length; index++) {
        const e = this.events[index] as SseEvent;
        if (match(e)) return e;
      }
      if (this.ended) throw new Error('event stream ended');
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms`);
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

  /** One parsed event, stamped now (comments, i.e. heartbeats, and retry: never come here). */
  private receive(e: EventSourceMessage): void {
    this.events.push({ event: e.event ?? 'message', data: e.data, ...(e.id !== undefined ? { id: e.id } : {}), at: performance.now() });
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
