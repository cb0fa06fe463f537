import http from 'node:http';

export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

/**
 * A minimal SSE reader for tests: collects events as they come and lets a test wait for
 * one that matches. (EventSource is not in Node 20.)
 */
export class SseClient {
  /** Sent with every stream unless overridden (the test app's admin token). */
  static defaultHeaders: Record<string, string> = {};
  readonly events: SseEvent[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  private readonly waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  private endWaiters: (() => void)[] = [];
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
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          this.body += chunk;
          buffer += chunk;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) !== -1) {
            this.parse(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
          }
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

  private parse(block: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line.startsWith('retry:')) continue;
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    const parsed: SseEvent = { event, id, data: JSON.parse(data.join('\n')) as unknown };
    this.events.push(parsed);
    for (const w of [...this.waiters]) {
      if (w.match(parsed)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const fn of this.endWaiters.splice(0)) fn();
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
