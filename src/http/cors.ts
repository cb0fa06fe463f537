import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * CORS for CORS_ORIGINS. A listed origin may call with credentials (the session cookie).
 * `*` lets any other origin read without credentials: `Access-Control-Allow-Origin: *` and
 * never `Access-Control-Allow-Credentials`, so a foreign page cannot ride a user's cookie
 * (browsers refuse credentialed answers to `*`). Origins neither listed nor covered by `*`
 * get no CORS header at all.
 */
export function corsOptionsFor(origins: readonly string[]): (request: FastifyRequest) => FastifyCorsOptions {
  const listed = new Set(origins.filter((o) => o !== '*'));
  const anyOrigin = origins.includes('*');
  return (request) => {
    const origin = request.headers.origin;
    if (origin !== undefined && listed.has(origin)) return { origin, credentials: true };
    if (anyOrigin) return { origin: '*', credentials: false };
    return { origin: false };
  };
}

export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const optionsFor = corsOptionsFor(origins);
  // Options per request: the answer (and so `Vary: Origin`) depends on the caller's origin.
  await app.register(cors, { delegator: (request, callback) => callback(null, optionsFor(request)) });
}
