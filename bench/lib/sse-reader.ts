import http from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
  /** performance.now() when the event's last line arrived. */
  at: number;
}

/**
 * A tiny Server-Sent Events client: keeps every event it receives, stamped with its arrival
 * time, so a caller can look for one that came before it started waiting.
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
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            reader.parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
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

  private parse(block: string): void {
    const at = performance.now();
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue; // comment (heartbeat)
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (data.length === 0) return; // retry:, or a comment-only block
    this.events.push({ event, data: data.join('\n'), ...(id !== undefined ? { id } : {}), at });
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
