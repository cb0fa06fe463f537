import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { AuditLog } from '../services/audit.js';
import { registerEnforce, registerIdentify } from './access.js';
import { registerAuditHook } from './audit-hook.js';
import { registerRateLimits } from './rate-limits.js';

/**
 * The layers every request passes, in order: headers (strict CSP), CORS for CORS_ORIGINS
 * only, cookies, identify the caller, rate limit (per subject, else per address; shared
 * through Redis when REDIS_URL is set), enforce the route's access rule, audit writes.
 * Returns what must be closed on shutdown.
 */
export async function registerSecurity(
  app: FastifyInstance,
  config: Config,
  deps: { authenticator: Authenticator; audit: AuditLog; metrics: Metrics },
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
  if (config.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.corsOrigins.includes('*') ? true : config.corsOrigins, credentials: true });
  }
  await app.register(cookie);
  registerIdentify(app, deps.authenticator);

  // Rate limits: after identify, before enforce (anonymous and refused requests count too).
  const rateLimits = registerRateLimits(app, config, deps.metrics);
  registerEnforce(app, config.corsOrigins);
  registerAuditHook(app, deps.audit);
  return rateLimits;
}
