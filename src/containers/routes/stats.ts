import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/common-schemas.js';
import { StatsSetQuerySchema, StatsSetSchema } from '../schemas.js';
import type { StatsService } from '../stats/stats.js';
import { viewerOf } from '../../access/http/viewer.js';
import { openStream, type StreamSettings } from '../../http/sse/open.js';
import { streamResponse } from '../../http/sse/events.js';
import { STATS_SET_STREAM } from '../stream-schemas.js';

/** /api/v1/stats: usage of every running container (filtered) and their totals, from memory. */
const statsRoutes: FastifyPluginAsyncTypebox<{ stats: StatsService; streams: StreamSettings }> = async (app, { stats, streams }) => {
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
      const { stream, ...filters } = request.query;
      if (!stream) return stats.set(filters, viewerOf(request));
      return stats.watchSet(filters, viewerOf(request), () => openStream(request, reply, streams, STATS_SET_STREAM));
    },
  );
};

export default statsRoutes;
