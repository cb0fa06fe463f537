import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { viewerOf } from '../access/http/viewer.js';
import { errorResponses, NotModifiedSchema } from '../http/common-schemas.js';
import { readyBody, sendReady, serializerOf } from '../http/etag.js';
import type { HistoryService } from './history-service.js';
import { HistoryQuerySchema, HistorySchema } from './schemas.js';

/** /api/v1/stats/history: downsampled CPU, memory and network of one container or group. */
const historyRoutes: FastifyPluginAsyncTypebox<{ history: HistoryService }> = async (app, { history }) => {
  app.get(
    '/stats/history',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags: ['containers', 'services'],
        summary: 'Resource history of one container or one service group (give exactly one): CPU, memory and network per bucket',
        querystring: HistoryQuerySchema,
        response: { 200: HistorySchema, 304: NotModifiedSchema, ...errorResponses(400, 404, 503) },
      },
    },
    // An ETag of the exact bytes: a chart polling an unchanged range gets a 304.
    async (request, reply) => sendReady(request, reply, readyBody(serializerOf(reply)(await history.query(request.query, viewerOf(request))))),
  );
};

export default historyRoutes;
