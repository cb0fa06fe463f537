import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../authenticator.js';
import type { Config } from '../../config.js';
import type { Metrics } from '../../http/metrics.js';
import type { AuditLog } from '../audit.js';
import { registerEnforce, registerIdentify } from './identify-enforce.js';
import { registerAuditHook } from './audit-hook.js';
import { registerCors } from '../../http/cors.js';
import { registerHostCheck } from '../../http/host-check.js';
import { registerSecurityHeaders } from '../../http/security-headers.js';
import { registerRateLimits } from './rate-limits.js';

/**
 * The layers every request passes, in order: headers (strict CSP), the Host check (421),
 * CORS for CORS_ORIGINS only (never credentials for `*`), cookies, identify the caller,
 * rate limit (per subject, else per address; shared through Redis while it answers),
 * enforce the route's access rule, audit writes.
 * Returns what must be closed on shutdown.
 */
export async function registerSecurity(
  app: FastifyInstance,
  config: Config,
  deps: { authenticator: Authenticator; audit: AuditLog; metrics: Metrics },
): Promise<{ close(): Promise<void> }> {
  registerSecurityHeaders(app);
  registerHostCheck(app, config.host, config.allowedHosts);
  await registerCors(app, config.corsOrigins);
  await app.register(cookie);
  registerIdentify(app, deps.authenticator);

  // Rate limits: after identify, before enforce (anonymous and refused requests count too).
  const rateLimits = registerRateLimits(app, config, deps.metrics);
  // `*` grants reads without credentials only: it never admits a cookie-authenticated change.
  registerEnforce(app, config.corsOrigins.filter((o) => o !== '*'));
  registerAuditHook(app, deps.audit);
  return rateLimits;
}
