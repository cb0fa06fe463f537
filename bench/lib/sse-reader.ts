import http from 'node:http';
import { EventLog } from './event-log.js';
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
  private readonly log = new EventLog<SseEvent>();

  private constructor(private readonly request: http.ClientRequest) {}

  /** Opens `path` and resolves once the server answered 200 with text/event-stream. */
  static open(host: string, port: number, path: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host, port, path, headers: { accept: 'text/event-stream', ...headers }, agent: false });
      const reader = new SseReader(req);
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', (err) => {
        reader.log.finish();
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
        res.on('end', () => reader.log.finish());
        res.on('close', () => reader.log.finish());
        resolve(reader);
      });
      req.end();
    });
  }

  /** The first event at index >= `from` that matches, waiting up to `timeoutMs` for it. */
  async waitFor(match: (e: SseEvent) => boolean, timeoutMs: number, from = 0): Promise<SseEvent> {
    return this.log.waitFor(match, timeoutMs, from, 'event stream ended', `no matching event within ${timeoutMs} ms`);
  }

  /** Every event so far, in arrival order. */
  get events(): readonly SseEvent[] {
    return this.log.events;
  }

  close(): void {
    this.request.destroy();
    this.log.finish();
  }

  /** One parsed event, stamped now (comments, i.e. heartbeats, and retry: never come here). */
  private receive(e: EventSourceMessage): void {
    this.log.push({ event: e.event ?? 'message', data: e.data, ...(e.id !== undefined ? { id: e.id } : {}), at: performance.now() });
  }
}
