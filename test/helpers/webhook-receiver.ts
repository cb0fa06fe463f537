import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes, as text (what a signature covers). */
  raw: string;
  json: Record<string, unknown> | undefined;
}

/** How the receiver answers: a status, a redirect, or holding the request until released. */
export type Answer = { status: number } | { redirect: string } | 'hold';

/**
 * A webhook receiver on a local address and a random port, for alert tests: it records
 * every request and lets a test wait for the one it expects (an event, never a sleep);
 * `gone` says a held request was abandoned by its sender.
 */
export class WebhookReceiver extends EventEmitter<{ request: [Received]; gone: [Received] }> {
  readonly received: Received[] = [];
  answer: Answer = { status: 204 };
  private readonly held: ServerResponse[] = [];
  private server: Server | undefined;
  url = '';

  async listen(host = '127.0.0.1'): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        const got = { path: req.url ?? '', headers: req.headers, raw, json };
        this.received.push(got);
        const answer = this.answer;
        if (answer === 'hold') {
          this.held.push(res);
          // The sender gave up on a held request (closed its connection before an answer).
          res.on('close', () => !res.writableEnded && this.emit('gone', got));
        }
        else if ('redirect' in answer) res.writeHead(302, { location: answer.redirect }).end();
        else res.writeHead(answer.status).end();
        this.emit('request', got);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, host, resolve));
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    this.url = `http://${host}:${port}`;
    return this;
  }

  /** Answers every held request with this status (and later ones too, unless changed). */
  release(status: number): void {
    this.answer = { status };
    for (const res of this.held.splice(0)) res.writeHead(status).end();
  }

  /** Requests matching `match`, waiting until there are `count` of them (or failing after `timeoutMs`). */
  async waitFor(match: (r: Received) => boolean, count = 1, timeoutMs = 20_000): Promise<Received[]> {
    const matching = () => this.received.filter(match);
    if (matching().length >= count) return matching();
    return new Promise((resolve, reject) => {
      const onRequest = () => {
        if (matching().length < count) return;
        clearTimeout(timer);
        this.off('request', onRequest);
        resolve(matching());
      };
      const timer = setTimeout(() => {
        this.off('request', onRequest);
        reject(new Error(`waited ${timeoutMs} ms for ${count} matching webhook request(s); got ${matching().length} of ${this.received.length}`));
      }, timeoutMs); // timer-ok: a bound on an event wait
      this.on('request', onRequest);
    });
  }

  async close(): Promise<void> {
    this.release(503);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A webhook body of this rule and state. */
export function notice(rule: string, state: 'firing' | 'resolved') {
  return (r: Received) => r.json?.['rule'] === rule && r.json?.['state'] === state;
}
