import http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

/**
 * A minimal SSE reader for tests: collects events as they come and lets a test wait for
 * one that matches. (EventSource is not in Node 20.) The wire format is read by
 * eventsource-parser, the project's one SSE parser.
 */
export class SseClient {
  /** Sent with every stream unless overridden (the test app's admin token). */
  static defaultHeaders: Record<string, string> = {};
  readonly events: SseEvent[] = [];
  /** The text of every `:` comment line (the service's heartbeats), in order. */
  readonly comments: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  private readonly waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  private endWaiters: (() => void)[] = [];
  private commentWaiters: (() => void)[] = [];
  private req: http.ClientRequest | undefined;
  body = '';

  /** Opens a stream; `method` POST for the operations that stream their progress (group start/stop, compose). */
  static async open(url: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET'): Promise<SseClient> {
    const client = new SseClient();
    await client.connect(url, headers, method);
    return client;
  }

  private connect(url: string, headers: Record<string, string>, method: 'GET' | 'POST'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = http.request(url, { method, headers: { accept: 'text/event-stream', ...SseClient.defaultHeaders, ...headers } }, (res) => {
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        const parser = createParser({ onEvent: (e) => this.receive(e), onComment: (text) => this.comment(text) });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          this.body += chunk;
          parser.feed(chunk);
        });
        res.on('close', () => this.finish());
        res.on('end', () => this.finish());
        resolve();
      });
      this.req.on('error', (err) => {
        this.finish();
        reject(err);
      });
      this.req.end();
    });
  }

  /** One parsed event (comments, i.e. heartbeats, and retry: never come here). */
  private receive(e: EventSourceMessage): void {
    const parsed: SseEvent = { event: e.event ?? 'message', id: e.id, data: JSON.parse(e.data) as unknown };
    this.events.push(parsed);
    for (const w of [...this.waiters]) {
      if (w.match(parsed)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  }

  private comment(text: string): void {
    this.comments.push(text);
    for (const fn of this.commentWaiters.splice(0)) fn();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const fn of this.endWaiters.splice(0)) fn();
    for (const fn of this.commentWaiters.splice(0)) fn();
  }

  /** Resolves with the first event (already received or coming) that matches. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs = 10_000, what = 'event'): Promise<SseEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.event))}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Resolves once `count` comments with this text came (e.g. two heartbeats). */
  async waitForComments(text: string, count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.comments.filter((c) => c === text).length < count) {
      if (this.ended) throw new Error(`stream ended after ${this.comments.length} comments, waiting for ${count} × "${text}"`);
      const left = deadline - Date.now();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} × ": ${text}"; got ${JSON.stringify(this.comments)}`)), Math.max(left, 0));
        this.commentWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForEnd(timeoutMs = 10_000): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stream did not end')), timeoutMs);
      this.endWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.req?.destroy();
  }
}
