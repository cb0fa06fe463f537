import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { payloadSchemas } from '../http/sse/events.js';
import { openDatabase } from '../storage/database.js';
import { UpdateChecker } from './checker.js';
import { UpdateEngines } from './engine-ports.js';
import { Recreator } from './recreate.js';
import { CredentialStore } from './registry/credentials.js';
import { RegistryClient } from './registry/registry-client.js';
import updateRoutes from './routes.js';
import { scheduleChecks } from './schedule.js';
import { SupersededImages } from './superseded-store.js';
import { UPDATE_STREAM } from './stream-schemas.js';
import { UpdateService } from './update-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    updates: UpdateService;
  }
}

/** Milliseconds a registry request may take. */
const REGISTRY_TIMEOUT_MS = 15_000;

export interface UpdatesPluginOptions {
  config: Config;
  /** Each engine's image and re-create calls. Default: two clients per engine of config.engines. */
  engines?: UpdateEngines;
  /**
   * The scheduled check's period in milliseconds, instead of UPDATE_CHECK_INTERVAL (whose
   * smallest value is 60 s): for tests only, through AppOptions.updateCheckIntervalMs.
   */
  checkIntervalMs?: number;
}

/** Image updates: checks against the registries, group rollouts with health gates and rollback, prune. */
const updatesPlugin: FastifyPluginAsync<UpdatesPluginOptions> = async (app, options) => {
  const { config, checkIntervalMs } = options;
  // Every call for a container goes to its engine (ContainerSummary.engine).
  const engines = options.engines ?? UpdateEngines.fromConfig(config.engines);
  const credentials = new CredentialStore(config.updates.authFile);
  const { store, containers } = app.containers;
  const checker = new UpdateChecker((engine) => engines.images(engine), new RegistryClient({ insecure: config.updates.insecureRegistries, timeoutMs: REGISTRY_TIMEOUT_MS }), credentials, store, containers.marks);
  // Its own connection to the embedded database (WAL), as the alerts have theirs.
  const db = openDatabase(config.dataDir);
  app.addHook('onClose', async () => db.close());
  const recreator = new Recreator(engines, app.compose.tool ? app.compose : undefined, store);
  const updates = new UpdateService(
    {
      catalog: app.groups.catalog,
      runner: app.groups.groupRunner,
      containers,
      store,
      engines,
      superseded: new SupersededImages(db),
      credentials,
      checker,
      recreator,
      slots: app.groups.groupRunner.slots,
      stepTimeoutMaxSeconds: config.groups.stepTimeoutMaxSeconds,
    },
    checker,
  );
  app.decorate('updates', updates);
  for (const schema of payloadSchemas(UPDATE_STREAM)) app.addSchema(schema);
  app.addSchema(UPDATE_STREAM.message);
  await app.register(updateRoutes, { prefix: '/api/v1', updates, intervalSeconds: config.updates.checkIntervalSeconds, streams: app.sse, audit: app.access.audit });

  // The scheduled check (UPDATE_CHECK_INTERVAL): asks the registries, never pulls.
  const everyMs = checkIntervalMs ?? config.updates.checkIntervalSeconds * 1000;
  if (everyMs > 0) {
    const stop = scheduleChecks(updates, () => store.isSynced, everyMs, app.log);
    app.addHook('onClose', async () => stop());
  }
};

export default fp(updatesPlugin, { name: 'updates', fastify: '5.x', dependencies: ['containers', 'groups', 'compose', 'access', 'sse'] });
