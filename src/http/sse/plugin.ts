import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { endAllStreams, type StreamGuard, type StreamSettings } from './open.js';
import { COMMON_STREAM_EVENTS } from './events.js';
import { StreamLimiter } from './stream-limiter.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What every SSE route opens its stream with: the per-client cap, heartbeats, the access guard. */
    sse: StreamSettings;
  }
}

export interface SsePluginOptions {
  perClient: number;
  heartbeatMs: number;
  /** Required: a stream nobody re-checks would outlive its caller's rights. */
  guard: StreamGuard;
}

const ssePlugin: FastifyPluginAsync<SsePluginOptions> = async (app, options) => {
  const settings: StreamSettings = {
    limiter: new StreamLimiter(options.perClient),
    heartbeatMs: options.heartbeatMs,
    open: new Set(),
    guard: options.guard,
  };
  app.decorate('sse', settings);
  // The events every stream may end with: components the streams' messages refer to.
  for (const schema of Object.values(COMMON_STREAM_EVENTS)) app.addSchema(schema);
  // Graceful close must not wait on streams that never end by themselves.
  app.addHook('preClose', async () => endAllStreams(settings));
};

export default fp(ssePlugin, { name: 'sse', fastify: '5.x' });
