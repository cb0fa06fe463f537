import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Authenticator } from '../auth/authenticator.js';
import type { Config } from '../config.js';
import { appError } from '../errors.js';
import type { AuditLog } from '../services/audit.js';
import { registerEnforce, registerIdentify } from './access.js';
import { registerAuditHook } from './audit-hook.js';
import { registerCors } from './cors.js';
import { registerHostCheck } from './host-check.js';

/** Probes and scrapes are not rate limited: monitoring must see a busy service too. */
const UNLIMITED = new Set(['/', '/health', '/live', '/ready', '/metrics', '/api/v1/health', '/api/v1/live', '/api/v1/ready']);

export function rateLimitKey(request: FastifyRequest): string {
  return request.principal ? `sub:${request.principal.sub}` : `ip:${request.ip}`;
}

/**
 * The layers every request passes, in order: headers (strict CSP), CORS for CORS_ORIGINS
 * only, cookies, identify the caller, rate limit (per subject, else per address; shared
 * through Redis when REDIS_URL is set), enforce the route's access rule, audit writes.
 * Returns what must be closed on shutdown.
 */
export async function registerSecurity(
  app: FastifyInstance,
  config: Config,
  deps: { authenticator: Authenticator; audit: AuditLog },
): Promise<{ close(): Promise<void> }> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // The OpenAPI UI sets its own, hash-based policy for its pages.
    enableCSPNonces: false,
  });
  registerHostCheck(app, config.host, config.allowedHosts);
  await registerCors(app, config.corsOrigins);
  await app.register(cookie);
  registerIdentify(app, deps.authenticator);

  const redis = config.rateLimit.redisUrl
    ? new Redis(config.rateLimit.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false })
    : undefined;
  redis?.on('error', (err) => app.log.warn({ err: err.message }, 'redis (rate limits) unavailable'));
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.perMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    allowList: (request) => UNLIMITED.has(request.routeOptions.url ?? '') || (request.routeOptions.url ?? '').startsWith('/assets/'),
    ...(redis ? { redis, nameSpace: 'gdm-rl:' } : {}),
    errorResponseBuilder: (_request, context) => appError('RATE_LIMITED', `Too many requests; retry in ${context.after}`),
  });
  // `*` grants reads without credentials only: it never admits a cookie-authenticated change.
  registerEnforce(app, config.corsOrigins.filter((o) => o !== '*'));
  registerAuditHook(app, deps.audit);
  return {
    close: async () => {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
