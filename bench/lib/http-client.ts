import http from 'node:http';

/** Where a client sends its requests: a unix socket (the engine) or a TCP host and port (our service). */
export type HttpTarget = { socketPath: string } | { host: string; port: number };

export interface HttpResponse {
  status: number;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
}

export class HttpStatusError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'HttpStatusError';
  }
}

/**
 * A minimal HTTP/1.1 client on node:http with its own keep-alive agent, so that both sides
 * of a comparison reuse connections the same way. The body is read whole and never parsed
 * here: parsing costs the same whichever server answered.
 */
export class HttpClient {
  private readonly agent: http.Agent;

  constructor(
    private readonly target: HttpTarget,
    private readonly timeoutMs = 60_000,
    /** Sent with every request, e.g. an Authorization header. */
    readonly headers: http.OutgoingHttpHeaders = {},
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512 });
  }

  request(method: string, path: string, body?: unknown, extraHeaders: http.OutgoingHttpHeaders = {}): Promise<HttpResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json', ...this.headers, ...extraHeaders };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ ...this.target, agent: this.agent, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends a request and throws HttpStatusError unless the status is one of `expected`. */
  async expect(method: string, path: string, expected: readonly number[] = [200], body?: unknown): Promise<HttpResponse> {
    const res = await this.request(method, path, body);
    if (!expected.includes(res.status)) throw new HttpStatusError(method, path, res.status, res.body.toString('utf8'));
    return res;
  }

  async json<T>(method: string, path: string, expected: readonly number[] = [200], body?: unknown): Promise<T> {
    const res = await this.expect(method, path, expected, body);
    return (res.body.length === 0 ? undefined : JSON.parse(res.body.toString('utf8'))) as T;
  }

  /** Closes the idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
