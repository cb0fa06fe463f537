import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import accessPlugin from './access/plugin.js';
import alertsPlugin from './alerts/plugin.js';
import accessRoutesPlugin from './access/routes/plugin.js';
import composePlugin from './compose/plugin.js';
import type { ComposeTool } from './compose/detect.js';
import type { Config } from './config.js';
import containersPlugin from './containers/plugin.js';
import { createDockerEngine, type DockerEngine } from './docker/engine.js';
import type { GroupDefinition } from './groups/definition.js';
import groupsPlugin from './groups/plugin.js';
import historyPlugin from './history/plugin.js';
import { createGroupCatalog } from './groups/setup.js';
import { registerDashboard } from './http/dashboard.js';
import { frameworkErrors } from './http/error-handler.js';
import openApiPlugin from './http/openapi-plugin.js';
import httpPlugin from './http/plugin.js';
import { lazyCompilers } from './http/lazy-compilers.js';
import logSearchPlugin from './logsearch/plugin.js';
import ssePlugin from './http/sse/plugin.js';
import systemPlugin from './system/plugin.js';
import updatesPlugin from './updates/plugin.js';
import swarmPlugin from './swarm/plugin.js';
import { createSwarmEngine } from './docker/swarm-engine.js';

export interface AppOptions {
  config: Config;
  /** Defaults to a pino logger at config.logLevel; tests pass false for silence. */
  logger?: FastifyBaseLogger | boolean;
  /** The first engine's client (default: built from config.engines[0]); tests may pass a failing one. */
  engine?: DockerEngine;
  /** Clients by engine name (default: built from config.engines); tests may pass fakes. */
  engines?: Record<string, DockerEngine>;
  /** Defaults to the groups file at config.groups.file (read and validated here). */
  groups?: GroupDefinition[];
  /** Defaults to detecting the compose tool; null: none. */
  composeTool?: ComposeTool | null;
  /** Tests only: the scheduled image update check's period in ms (UPDATE_CHECK_INTERVAL's minimum is 60 s). */
  updateCheckIntervalMs?: number;
}

/** The app with every feature's decorator (typed by each plugin's declaration merging). */
export type App = FastifyInstance;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the whole service as a Fastify instance without listening: tests call inject(). */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const loggerOption =
    options.logger === undefined
      ? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token'] }
      : options.logger;
  const compilers = lazyCompilers();
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
    // Each route's validators and serializers compiled on first use (http/lazy-compilers.ts).
    schemaController: { compilersFactory: compilers },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  app.decorate('compileAllSchemas', () => compilers.compileAll());

  const catalog = createGroupCatalog(config, app.log, options.groups);

  // The features, in dependency order (each plugin declares what it needs).
  await app.register(httpPlugin);
  await app.register(accessPlugin, { config });
  await app.register(openApiPlugin);
  await app.register(accessRoutesPlugin, { config });
  await app.register(ssePlugin, { perClient: config.streams.perClient, heartbeatMs: config.streams.heartbeatMs, guard: app.access.streamGuard });
  const engineFor = (settings: Config['engines'][number]): DockerEngine =>
    options.engines?.[settings.name] ?? (settings === config.engines[0] ? options.engine : undefined) ?? createDockerEngine({ ...settings });
  await app.register(containersPlugin, { config, engineFor, groupsOf: (c) => catalog.groupsOf(c) });
  // Swarm: every engine is asked whether it is a manager; those that are not simply have none.
  const swarmEngines = config.engines.map((settings) => ({ name: settings.name, client: createSwarmEngine({ ...settings }) }));
  await app.register(swarmPlugin, { config, engines: swarmEngines, groupsOf: (s) => catalog.serviceGroupsOf(s) });
  await app.register(groupsPlugin, { config, catalog, services: app.swarm.groupMembers });
  await app.register(composePlugin, { config, tool: options.composeTool });
  await app.register(historyPlugin, { config });
  await app.register(updatesPlugin, { config, checkIntervalMs: options.updateCheckIntervalMs });
  await app.register(alertsPlugin, { config });
  await app.register(logSearchPlugin, { config });
  await app.register(systemPlugin, { config });
  await registerDashboard(app);
  return app;
}
