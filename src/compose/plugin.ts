import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { ComposeService } from './compose-service.js';
import { detectCompose, type ComposeTool } from './detect.js';
import composeRoutes from './routes.js';
import { COMPOSE_STREAM } from './stream-schemas.js';
import { payloadSchemas } from '../http/sse/events.js';

declare module 'fastify' {
  interface FastifyInstance {
    compose: ComposeService;
  }
}

export interface ComposePluginOptions {
  config: Config;
  /** The compose tool; undefined: detect it now (COMPOSE_COMMAND, docker compose, docker-compose); null: none. */
  tool?: ComposeTool | null;
}

/** Compose projects run with the real compose tool, confined to their folders. */
const composePlugin: FastifyPluginAsync<ComposePluginOptions> = async (app, { config, tool }) => {
  const found = tool === undefined ? await detectCompose(config.compose.command, config.compose.env) : (tool ?? undefined);
  const compose = new ComposeService(found, app.containers.store, { ...config.compose, engines: config.engines }, app.log, app.containers.containers.marks);
  app.decorate('compose', compose);
  for (const schema of payloadSchemas(COMPOSE_STREAM)) app.addSchema(schema);
  app.addSchema(COMPOSE_STREAM.message);
  await app.register(composeRoutes, { prefix: '/api/v1', compose, streams: app.sse, audit: app.access.audit });
};

export default fp(composePlugin, { name: 'compose', fastify: '5.x', dependencies: ['containers', 'access', 'sse'] });
