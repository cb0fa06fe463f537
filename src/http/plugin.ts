import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorResponseSchema } from './common-schemas.js';
import { registerErrorHandling } from './error-handler.js';
import { createMetrics, type Metrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Prometheus registry and the app-wide series every feature adds to. */
    metrics: Metrics;
  }
}

/**
 * What every request meets whatever feature answers it: one error handler, the request id
 * on every answer, HTTP metrics, the shared error schema.
 */
const httpPlugin: FastifyPluginAsync = async (app) => {
  registerErrorHandling(app);
  // First of all hooks: even a refused request tells its id.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const metrics = createMetrics();
  app.decorate('metrics', metrics);
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
  app.addSchema(ErrorResponseSchema);
};

export default fp(httpPlugin, { name: 'http', fastify: '5.x' });
