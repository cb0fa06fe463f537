import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/common-schemas.js';
import { openStream, type StreamSettings } from '../../http/sse/open.js';
import { streamResponse } from '../../http/sse/events.js';
import { viewerOf } from '../../access/http/viewer.js';
import { EngineQuerySchema, NodeActionResultSchema, NodeListSchema, NodeParamsSchema, VersionQuerySchema } from '../schemas.js';
import type { SwarmFeature } from '../feature.js';
import { SWARM_EVENTS_STREAM } from '../stream-schemas.js';

const tags = ['swarm'];

/** /api/v1/swarm/nodes (drain and activate are admin changes: WRITE) and /swarm/events. */
const nodeRoutes: FastifyPluginAsyncTypebox<{ swarm: SwarmFeature; streams: StreamSettings }> = async (app, { swarm, streams }) => {
  app.get(
    '/swarm/nodes',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Nodes of the manager engines: role, availability, state, engine version, resources',
        querystring: EngineQuerySchema,
        response: { 200: NodeListSchema, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => swarm.services.nodes(viewerOf(request), request.query.engine),
  );

  for (const action of ['drain', 'activate'] as const) {
    app.post(
      `/swarm/nodes/:id/${action}`,
      {
        config: { access: { permission: 'WRITE' } },
        schema: {
          tags,
          summary: action === 'drain' ? 'Drain a node: its tasks move to other nodes (or wait)' : 'Make a node active again: tasks may be placed on it',
          description: '`{id}` is a node id, unique prefix or hostname (`engine:id` or ?engine= picks the engine). Sent with `version`, else the current version index; a stale one answers 409 SWARM_VERSION_CONFLICT.',
          params: NodeParamsSchema,
          querystring: VersionQuerySchema,
          response: { 200: NodeActionResultSchema, ...errorResponses(400, 403, 404, 409, 503) },
        },
      },
      async (request) =>
        swarm.services.setAvailability(request.params.id, action === 'drain' ? 'drain' : 'active', viewerOf(request), { engine: request.query.engine, version: request.query.version }),
    );
  }

  app.get(
    '/swarm/events',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags: ['streams'],
        summary: 'Swarm changes (SSE): services, tasks and nodes the caller may see',
        description: 'text/event-stream of `swarm` events ({engine, kind: service|task|node, action, id, serviceId}); read the object again on each.',
        response: { 200: streamResponse(SWARM_EVENTS_STREAM, 'The changes as Server-Sent Events (SwarmEventsMessage)'), ...errorResponses(429) },
      },
    },
    async (request, reply) => {
      const stream = openStream(request, reply, streams, SWARM_EVENTS_STREAM);
      const stop = swarm.watch(viewerOf(request), (change) => {
        const { service: _service, ...event } = change;
        stream.send('swarm', event);
      });
      stream.onClose(stop);
    },
  );
};

export default nodeRoutes;
