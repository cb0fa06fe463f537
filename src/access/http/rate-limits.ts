import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { appError } from '../../errors.js';
import type { Metrics } from '../../http/metrics.js';
import { RateLimitStore, type WindowCount } from '../rate-limit-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The rate-limit counters (shared through Redis when it answers); also used by login. */
    rateLimits: RateLimitStore;
  }
}

export const RATE_WINDOW_MS = 60_000;

/** Probes and scrapes are not rate limited: monitoring must see a busy service too. */
const UNLIMITED = new Set(['/', '/health', '/live', '/ready', '/metrics', '/api/v1/health', '/api/v1/live', '/api/v1/ready']);

/** Per authenticated subject; anyone else (no token, a bad token) per client address. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.principal ? `sub:${request.principal.sub}` : `ip:${request.ip}`;
}

/**
 * Sets the usual rate-limit headers; over `max`, throws RATE_LIMITED with Retry-After.
 * `request.ip` is the peer address, or what a TRUSTED_PROXIES proxy says it is.
 */
export function enforceBudget(reply: FastifyReply, count: WindowCount, max: number, what = 'requests'): void {
  const resetSeconds = Math.max(1, Math.ceil(count.ttlMs / 1000));
  reply.header('x-ratelimit-limit', max);
  reply.header('x-ratelimit-remaining', Math.max(0, max - count.current));
  reply.header('x-ratelimit-reset', resetSeconds);
  if (count.current <= max) return;
  reply.header('retry-after', resetSeconds);
  throw appError('RATE_LIMITED', `Too many ${what}; retry in ${resetSeconds} s`);
}

/**
 * The API budget: RATE_LIMIT_PER_MINUTE per subject, else per address. An app-wide
 * onRequest hook registered after identification and before access is enforced, so a
 * request without a token or with a bad one is counted before it is refused (a route-level
 * hook would run only after the app-wide refusal). Returns what must be closed on shutdown.
 */
export function registerRateLimits(app: FastifyInstance, config: Config, metrics: Metrics): { close(): Promise<void> } {
  const store = new RateLimitStore(config.rateLimit.redisUrl, app.log, metrics);
  app.decorate('rateLimits', store);
  const max = config.rateLimit.perMinute;
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url ?? '';
    if (UNLIMITED.has(url) || url.startsWith('/assets/')) return;
    enforceBudget(reply, await store.incr(`api:${rateLimitKey(request)}`, RATE_WINDOW_MS), max);
  });
  return { close: () => store.close() };
}
