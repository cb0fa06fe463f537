import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/common-schemas.js';
import { StatsSetQuerySchema, StatsSetSchema } from '../schemas.js';
import { applyFilters } from '../container-service.js';
import type { ContainersFeature } from '../feature.js';
import { viewerOf } from '../../access/http/viewer.js';
import { ENGINE_LOST_EVENT, openStream, type StreamSettings } from '../../http/sse/open.js';
import { streamResponse } from '../../http/sse/events.js';
import { STATS_SET_STREAM } from '../stream-schemas.js';

/** /api/v1/stats: usage of every running container (filtered) and their totals, from memory. */
const statsRoutes: FastifyPluginAsyncTypebox<{ services: ContainersFeature; streams: StreamSettings }> = async (app, { services, streams }) => {
  app.get(
    '/stats',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags: ['containers', 'streams'],
        summary: 'CPU, memory, network and I/O of running containers, with totals; stream=true streams them (SSE)',
        querystring: StatsSetQuerySchema,
        response: { 200: streamResponse(STATS_SET_STREAM, 'The set as JSON; with stream=true, as Server-Sent Events (StatsSetStreamMessage)', StatsSetSchema), ...errorResponses(400, 429, 503) },
      },
    },
    async (request, reply) => {
      const { stream: wantsStream, ...filters } = request.query;
      const viewer = viewerOf(request);
      const first = await services.stats.set(filters, viewer);
      if (!wantsStream) return first;
      const stream = openStream(request, reply, streams, STATS_SET_STREAM);
      stream.send('stats', first);
      const unsubscribe = services.stats.collector.subscribe((usage) => {
        if (stream.congested) return; // a slow reader gets the next sample, not a queue
        const matching = applyFilters(services.containers.visible(viewer), { ...filters, all: false });
        stream.send('stats', services.stats.combine(matching, usage));
      });
      const onLost = () => stream.end('error', ENGINE_LOST_EVENT);
      services.store.on('lost', onLost);
      stream.onClose(() => {
        unsubscribe();
        services.store.off('lost', onLost);
      });
    },
  );
};

export default statsRoutes;
