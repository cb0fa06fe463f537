import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkTarget, type AllowList, type Resolver } from './net-guard.js';

export interface PostResult {
  status: number;
}

/** A failure worth another attempt (timeout, 5xx, 429, a refused connection) or not (a refused target, a redirect, 4xx). */
export class PostError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'PostError';
  }
}

const MAX_RESPONSE_BYTES = 16 * 1024;

/**
 * POSTs a body to a checked target. The address is checked (see net-guard.ts) at every
 * send, then pinned: the socket's lookup answers with that address only, so the request
 * cannot reach what a second DNS answer would say. TLS still verifies the host name.
 * Redirects are never followed: a 3xx answer is a failure (not retried), so a permitted
 * receiver cannot bounce the notification to an address the allow-list refuses.
 */
export async function postChecked(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { allow: AllowList; timeoutMs: number; resolve?: Resolver; signal?: AbortSignal },
): Promise<PostResult> {
  let pinned: { address: string; family: 4 | 6 };
  try {
    pinned = await checkTarget(url, options.allow, options.resolve);
  } catch (err) {
    throw new PostError((err as Error).message, false);
  }
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        lookup,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'gui-docker-manager-alerts', ...headers },
        timeout: options.timeoutMs,
        agent: false,
        signal: options.signal,
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('error', () => undefined);
        res.on('close', () => {
          clearTimeout(deadline);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ status });
          else if (status >= 300 && status < 400) reject(new PostError(`answered ${status} (redirects are not followed)`, false));
          else reject(new PostError(`answered ${status}`, status >= 500 || status === 429 || status === 408));
        });
        res.resume();
      },
    );
    // The socket timeout is for idleness; this bounds the whole exchange.
    const deadline = setTimeout(() => req.destroy(new PostError(`no answer within ${options.timeoutMs} ms`, true)), options.timeoutMs);
    req.on('timeout', () => req.destroy(new PostError(`no answer within ${options.timeoutMs} ms`, true)));
    req.on('error', (err) => {
      clearTimeout(deadline);
      if (options.signal?.aborted) reject(new PostError('abandoned: the service is closing', false));
      else reject(err instanceof PostError ? err : new PostError(`connection failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, true));
    });
    req.end(body);
  });
}
