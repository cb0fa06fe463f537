import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createDockerEngine, type DockerEngine } from './docker/engine.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import containerRoutes from './containers/routes/containers.js';
import { frameworkErrors, registerErrorHandling } from './http/error-handler.js';
import metricsRoutes from './system/metrics-routes.js';
import probeRoutes from './system/probes.js';
import eventRoutes from './containers/routes/events.js';
import statsRoutes from './containers/routes/stats.js';
import { StreamLimiter } from './http/sse/stream-limiter.js';
import { StreamAccessGuard } from './access/stream-access-guard.js';
import { endAllStreams, type StreamSettings } from './http/sse/open.js';
import { ErrorResponseSchema } from './http/common-schemas.js';
import { GroupCatalog } from './groups/catalog.js';
import type { GroupDefinition } from './groups/definition.js';
import { loadGroupsFile } from './groups/load.js';
import { warnUnreachableGroups } from './groups/reach.js';
import groupRoutes from './groups/routes.js';
import { ContainerDetailsSchema, ContainerSummarySchema } from './containers/schemas.js';
import { createServices, type Services } from './services-bag.js';
import { PACKAGE } from './version.js';
import { relaxDefaultedQueryParameters } from './http/openapi.js';
import { resolveSecret } from './access/secret.js';
import adminRoutes from './access/routes/audit.js';
import authRoutes from './access/routes/auth.js';
import { registerSecurity } from './access/http/security.js';
import { registerDashboard } from './http/dashboard.js';
import userRoutes from './access/routes/users.js';
import subjectRoutes from './access/routes/subjects.js';
import { createAccessServices, type AccessServices } from './access/access-services.js';
import { openDatabase } from './storage/database.js';
import { detectCompose, type ComposeTool } from './compose/detect.js';
import composeRoutes from './compose/routes.js';
import { ComposeService } from './compose/compose-service.js';

export interface AppOptions {
  config: Config;
  /** Defaults to a pino logger at config.logLevel; tests pass false for silence. */
  logger?: FastifyBaseLogger | boolean;
  /** Defaults to the engine at config.docker.host; tests may pass a failing one. */
  engine?: DockerEngine;
  /** Defaults to the groups file at config.groups.file (read and validated here). */
  groups?: GroupDefinition[];
  /** Defaults to detecting the compose tool; null: none. */
  composeTool?: ComposeTool | null;
}

export type App = FastifyInstance & { services: Services; metrics: Metrics; access: AccessServices; compose: ComposeService };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the whole service as a Fastify instance without listening: tests call inject(). */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const loggerOption =
    options.logger === undefined
      ? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token'] }
      : options.logger;
  const app = Fastify({
    ...(typeof loggerOption === 'object' && 'child' in loggerOption ? { loggerInstance: loggerOption } : { logger: loggerOption }),
    // X-Forwarded-For is believed only from configured proxies: a client cannot pick its address.
    trustProxy: config.rateLimit.trustedProxies.length > 0 ? config.rateLimit.trustedProxies : false,
    // Long ids must reach the schema (400), not fall out of the router as a 404.
    routerOptions: { maxParamLength: 512 },
    bodyLimit: 64 * 1024,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const engine = options.engine ?? createDockerEngine({ ...config.docker });
  const catalog = new GroupCatalog(options.groups ?? loadGroupsFile(config.groups.file), config.groups.labelKeys);
  // With access levels off every caller is an admin: only ADMIN_SERVICES reaches anything.
  const { roleGroups } = config.auth;
  warnUnreachableGroups(app.log, catalog.groups.map((g) => g.name), config.auth.accessLevelsEnabled ? roleGroups : { admin: roleGroups.admin });
  const services = createServices(engine, config, catalog);
  const metrics = createMetrics();
  app.decorate('services', services);
  app.decorate('metrics', metrics);

  const compose = new ComposeService(options.composeTool === undefined ? await detectCompose(config.compose.command, config.compose.env) : (options.composeTool ?? undefined), services.store, config.compose, app.log);
  app.decorate('compose', compose);
  const db = openDatabase(config.dataDir);
  const secret = resolveSecret(config.auth.secret, config.dataDir);
  const access = createAccessServices(config, db, secret);
  app.decorate('access', access);
  if (secret.origin === 'generated') app.log.warn(`JWT_SECRET_KEY is not set: generated a signing secret into ${secret.path} (mode 0600)`);
  const admin = await access.users.bootstrap(config.auth.adminUsername, config.auth.adminPassword);
  if (admin.generatedPassword) {
    // Printed once: only its hash is stored.
    app.log.warn(`First start: created admin user "${config.auth.adminUsername}" with password ${admin.generatedPassword} — change it (POST /api/v1/users/{id}/password)`);
  } else if (admin.created) {
    app.log.info(`First start: created admin user "${config.auth.adminUsername}" with ADMIN_PASSWORD`);
  }
  const pruneTimer = setInterval(() => {
    access.audit.prune();
    // A token is still accepted up to the clock tolerance past its exp: keep its revocation that long too.
    access.revocations.prune(Math.floor(Date.now() / 1000) - config.auth.clockToleranceSeconds);
  }, 3_600_000);
  pruneTimer.unref();

  app.addHook('onReady', async () => services.start());
  app.addHook('onClose', async () => {
    clearInterval(pruneTimer);
    await services.close();
    await security.close();
    db.close();
  });
  services.store.on('lost', () => metrics.eventStreamReconnects.inc());

  registerErrorHandling(app);
  // First of all hooks: even a refused request tells its id.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const security = await registerSecurity(app, config, { authenticator: access.authenticator, audit: access.audit, metrics });
  app.addSchema(ErrorResponseSchema);
  app.addSchema(ContainerSummarySchema);
  app.addSchema(ContainerDetailsSchema);
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'gui-docker-manager',
        version: PACKAGE.version,
        description: 'Manage the Docker containers of a multi-service platform: named operations only, never a raw Docker API proxy.',
      },
      tags: [
        { name: 'system', description: 'Probes, metrics and documentation' },
        { name: 'containers', description: 'Containers of the engine' },
        { name: 'streams', description: 'Server-Sent Events: container changes, logs, stats' },
        { name: 'services', description: 'Service groups: tiers started in dependency order, health-gated' },
        { name: 'auth', description: 'Login, logout, identity, roles' },
        { name: 'users', description: 'Local users (admin)' },
        { name: 'audit', description: 'The audit log (admin)' },
        { name: 'compose', description: 'Compose projects with the real compose tool' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: 'gdm_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transformObject: (documentObject) => {
      const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
      relaxDefaultedQueryParameters(document as Parameters<typeof relaxDefaultedQueryParameters>[0]);
      return document;
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { config: { access: { public: true } }, schema: { hide: true } }, async () => app.swagger());

  await registerDashboard(app);
  await app.register(probeRoutes, { services, compose });
  await app.register(metricsRoutes, { services, metrics, metricsToken: config.metricsToken, containerStats: config.metricsContainerStats });
  const limiter = new StreamLimiter(config.streams.perClient);
  const streamOptions: StreamSettings = {
    limiter,
    heartbeatMs: config.streams.heartbeatMs,
    open: new Set(),
    guard: new StreamAccessGuard(access.authenticator, access, config.auth.clockToleranceSeconds),
  };
  app.addHook('preClose', async () => endAllStreams(streamOptions));
  await app.register(containerRoutes, { prefix: '/api/v1', services, streams: streamOptions });
  await app.register(statsRoutes, { prefix: '/api/v1', services, streams: streamOptions });
  await app.register(eventRoutes, { prefix: '/api/v1', services, streams: streamOptions });
  await app.register(groupRoutes, { prefix: '/api/v1', services, streams: streamOptions, audit: access.audit });
  await app.register(authRoutes, {
    prefix: '/api/v1',
    access,
    cookieSecure: config.auth.cookieSecure,
    loginPerMinute: config.rateLimit.loginPerMinute,
  });
  await app.register(userRoutes, { prefix: '/api/v1', users: access.users });
  await app.register(subjectRoutes, { prefix: '/api/v1', revocations: access.revocations });
  await app.register(composeRoutes, { prefix: '/api/v1', compose, streams: streamOptions, audit: access.audit });
  await app.register(adminRoutes, {
    prefix: '/api/v1',
    audit: access.audit,
    accessLevelsEnabled: config.auth.accessLevelsEnabled,
    roleGroups: config.auth.roleGroups,
  });

  return app as unknown as App;
}
