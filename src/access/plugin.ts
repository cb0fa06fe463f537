import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { openDatabase } from '../storage/database.js';
import { createAccessServices, type AccessServices } from './access-services.js';
import { registerSecurity } from './http/security.js';
import { resolveSecret } from './secret.js';
import { StreamAccessGuard } from './stream-access-guard.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Tokens, users, revocations and the audit log, over the embedded database. */
    access: AccessServices & { streamGuard: StreamAccessGuard };
  }
}

/**
 * Who may do what: the embedded database (users, revocations, audit), the first-run admin,
 * every request's security layers (headers, Host, CORS, identify, rate limits, enforce,
 * audit). Its routes are registered by ./routes/plugin.ts, after the OpenAPI document.
 */
const accessPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const db = openDatabase(config.dataDir);
  app.addHook('onClose', async () => db.close());
  const secret = resolveSecret(config.auth.secret, config.dataDir);
  const services = createAccessServices(config, db, secret);
  const streamGuard = new StreamAccessGuard(services.authenticator, services, config.auth.clockToleranceSeconds);
  app.decorate('access', { ...services, streamGuard });
  if (secret.origin === 'generated') app.log.warn(`JWT_SECRET_KEY is not set: generated a signing secret into ${secret.path} (mode 0600)`);
  const admin = await services.users.bootstrap(config.auth.adminUsername, config.auth.adminPassword);
  if (admin.generatedPassword) {
    // Printed once: only its hash is stored.
    app.log.warn(`First start: created admin user "${config.auth.adminUsername}" with password ${admin.generatedPassword} — change it (POST /api/v1/users/{id}/password)`);
  } else if (admin.created) {
    app.log.info(`First start: created admin user "${config.auth.adminUsername}" with ADMIN_PASSWORD`);
  }
  const pruneTimer = setInterval(() => {
    services.audit.prune();
    // A token is still accepted up to the clock tolerance past its exp: keep its revocation that long too.
    services.revocations.prune(Math.floor(Date.now() / 1000) - config.auth.clockToleranceSeconds);
  }, 3_600_000);
  pruneTimer.unref();
  app.addHook('onClose', async () => clearInterval(pruneTimer));

  const security = await registerSecurity(app, config, { authenticator: services.authenticator, audit: services.audit, metrics: app.metrics });
  app.addHook('onClose', async () => security.close());
};

export default fp(accessPlugin, { name: 'access', fastify: '5.x', dependencies: ['http'] });
