import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses } from '../../http/common-schemas.js';
import type { EventStream } from '../event-stream.js';
import { viewerOf } from '../../access/http/viewer.js';
import { openStream, type StreamSettings } from '../../http/sse/open.js';
import { streamResponse } from '../../http/sse/events.js';
import { EngineNameSchema } from '../schemas.js';
import { CONTAINER_EVENTS_STREAM } from '../stream-schemas.js';

const EventsQuerySchema = Type.Object({
  snapshot: Type.Boolean({ default: false, description: 'Start with a `snapshot` event holding the current list' }),
  engine: Type.Optional(Type.String({ ...EngineNameSchema, description: 'Only containers of this engine (their changes, the snapshot, and its `engine` events)' })),
});

/**
 * /api/v1/events: container state changes as Server-Sent Events (`container` events with
 * {kind, action, id, name, time, container}). Each carries an id; a client reconnecting
 * with Last-Event-ID gets what it missed, or a `resync` event when too much passed.
 */
const eventRoutes: FastifyPluginAsyncTypebox<{ events: EventStream; streams: StreamSettings }> = async (app, { events, streams }) => {
  app.get(
    '/events',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags: ['streams'],
        summary: 'Container state changes (SSE)',
        description:
          'text/event-stream of `container` events ({kind: added|updated|removed, action, id, name, time, container}). `resync` means events were missed: refetch the list. `error` then end means the engine went away.',
        querystring: EventsQuerySchema,
        response: { 200: streamResponse(CONTAINER_EVENTS_STREAM, 'The changes as Server-Sent Events (ContainerEventsMessage)'), ...errorResponses(429, 503) },
      },
    },
    async (request, reply) => {
      const { snapshot, engine } = request.query;
      const options = { lastEventId: Number(request.headers['last-event-id']), snapshot, ...(engine !== undefined ? { engine } : {}) };
      await events.subscribe(viewerOf(request), options, () => openStream(request, reply, streams, CONTAINER_EVENTS_STREAM));
    },
  );
};

export default eventRoutes;
