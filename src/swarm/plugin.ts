import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { ReplicaMemory } from '../storage/replica-memory.js';
import { payloadSchemas } from '../http/sse/events.js';
import { createSwarmFeature, type SwarmEngineEntry, type SwarmFeature } from './feature.js';
import nodeRoutes from './routes/nodes.js';
import serviceRoutes from './routes/services.js';
import { SwarmNodeSchema, SwarmServiceDetailsSchema, SwarmServiceSchema, SwarmTaskSchema } from './schemas.js';
import { SWARM_STREAMS } from './stream-schemas.js';
import type { ServiceGroupsOf } from './swarm-views.js';

declare module 'fastify' {
  interface FastifyInstance {
    swarm: SwarmFeature;
  }
}

export interface SwarmPluginOptions {
  config: Config;
  /** Every engine by name with its swarm port (one, `local`, until there are several). */
  engines: readonly SwarmEngineEntry[];
  groupsOf: ServiceGroupsOf;
}

/** Swarm services, tasks, stacks and nodes of the manager engines: follows them from onReady, stops on close. */
const swarmPlugin: FastifyPluginAsync<SwarmPluginOptions> = async (app, { config, engines, groupsOf }) => {
  const memory = new ReplicaMemory(config.dataDir);
  // Task containers are containers: their usage comes from the containers feature's shared sample.
  const feature = createSwarmFeature(engines, groupsOf, memory, (ids) => app.containers.stats.usage(ids));
  app.decorate('swarm', feature);
  app.addHook('onReady', async () => feature.start());
  app.addHook('onClose', async () => {
    await feature.close();
    memory.close();
  });
  for (const schema of [SwarmNodeSchema, SwarmTaskSchema, SwarmServiceSchema, SwarmServiceDetailsSchema]) app.addSchema(schema);
  for (const schema of payloadSchemas(...SWARM_STREAMS)) app.addSchema(schema);
  for (const stream of SWARM_STREAMS) app.addSchema(stream.message);
  const common = { prefix: '/api/v1', streams: app.sse };
  await app.register(serviceRoutes, { ...common, services: feature.services, logs: feature.logs, stats: feature.stats });
  await app.register(nodeRoutes, { ...common, swarm: feature });
};

export default fp(swarmPlugin, { name: 'swarm', fastify: '5.x', dependencies: ['http', 'sse', 'access', 'containers'] });
