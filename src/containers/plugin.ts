import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config, EngineConfig } from '../config.js';
import type { DockerEngine } from '../docker/engine.js';
import type { GroupsOf } from './container-view.js';
import { createContainersFeature, type ContainersFeature } from './feature.js';
import containerRoutes from './routes/containers.js';
import { EngineViewSchema } from './engines/engine-view.js';
import engineRoutes from './routes/engines.js';
import eventRoutes from './routes/events.js';
import statsRoutes from './routes/stats.js';
import { ContainerDetailsSchema, ContainerSummarySchema } from './schemas.js';
import { CONTAINER_STREAMS } from './stream-schemas.js';
import { payloadSchemas } from '../http/sse/events.js';

declare module 'fastify' {
  interface FastifyInstance {
    containers: ContainersFeature;
  }
}

export interface ContainersPluginOptions {
  config: Config;
  /** The client of one configured engine. */
  engineFor: (settings: EngineConfig) => DockerEngine;
  groupsOf: GroupsOf;
}

/** The live containers: follows the engine from onReady, stops on close; container, stats and event routes. */
const containersPlugin: FastifyPluginAsync<ContainersPluginOptions> = async (app, { config, engineFor, groupsOf }) => {
  const feature = createContainersFeature(config, engineFor, groupsOf);
  app.decorate('containers', feature);
  app.addHook('onReady', async () => feature.start());
  app.addHook('onClose', async () => feature.close());
  for (const unit of feature.engines) unit.store.on('lost', () => app.metrics.eventStreamReconnects.inc({ engine: unit.name }));
  app.addSchema(ContainerSummarySchema);
  app.addSchema(ContainerDetailsSchema);
  app.addSchema(EngineViewSchema);
  // Each stream's event payloads and its message union: components of the OpenAPI document.
  for (const schema of payloadSchemas(...CONTAINER_STREAMS)) app.addSchema(schema);
  for (const stream of CONTAINER_STREAMS) app.addSchema(stream.message);
  // Each route plugin gets the services it calls, nothing more.
  const { containers, logs, stats, events } = feature;
  const common = { prefix: '/api/v1', streams: app.sse };
  await app.register(containerRoutes, { ...common, containers, logs, stats });
  await app.register(statsRoutes, { ...common, stats });
  await app.register(eventRoutes, { ...common, events });
  await app.register(engineRoutes, { prefix: '/api/v1', units: feature.engines, store: feature.store });
};

export default fp(containersPlugin, { name: 'containers', fastify: '5.x', dependencies: ['http', 'sse'] });
