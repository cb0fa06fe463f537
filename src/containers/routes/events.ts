import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses } from '../../http/common-schemas.js';
import type { FeedEntry } from '../change-feed.js';
import type { ContainersFeature } from '../feature.js';
import { canSee, withVisibleGroups } from '../../access/principal.js';
import { viewerOf } from '../../access/http/viewer.js';
import { ENGINE_LOST_EVENT, openStream, type StreamSettings } from '../../http/sse/open.js';
import { streamResponse } from '../../http/sse/events.js';
import { CONTAINER_EVENTS_STREAM } from '../stream-schemas.js';

const EventsQuerySchema = Type.Object({
  snapshot: Type.Boolean({ default: false, description: 'Start with a `snapshot` event holding the current list' }),
});

/**
 * /api/v1/events: container state changes as Server-Sent Events (`container` events with
 * {kind, action, id, name, time, container}). Each carries an id; a client reconnecting
 * with Last-Event-ID gets what it missed, or a `resync` event when too much passed.
 */
const eventRoutes: FastifyPluginAsyncTypebox<{ services: ContainersFeature; streams: StreamSettings }> = async (app, { services, streams }) => {
  const { store, feed } = services;

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
      const viewer = viewerOf(request);
      await store.ready();
      const stream = openStream(request, reply, streams, CONTAINER_EVENTS_STREAM);
      let missed = false;

      const deliver = (entry: FeedEntry) => {
        // Changes of containers outside the caller's groups do not exist for it.
        if (!canSee(viewer, entry.change)) return;
        if (stream.congested) {
          // Never queue without bound for a slow reader: drop, and tell it to refetch once it catches up.
          if (!missed) stream.onDrain(() => stream.send('resync', { reason: 'events were dropped for a slow reader; refetch the list' }, feed.lastSeq));
          missed = true;
          return;
        }
        missed = false;
        stream.send('container', withVisibleGroups(viewer, entry.change), entry.seq);
      };

      const lastEventId = Number(request.headers['last-event-id']);
      if (Number.isInteger(lastEventId) && lastEventId > 0) {
        const missedEntries = feed.since(lastEventId);
        if (missedEntries) for (const entry of missedEntries) deliver(entry);
        else stream.send('resync', { reason: 'too many events passed since Last-Event-ID; refetch the list' }, feed.lastSeq);
      } else {
        stream.send('ready', { lastEventId: feed.lastSeq }, feed.lastSeq);
      }
      if (request.query.snapshot) stream.send('snapshot', { containers: services.containers.visible(viewer) }, feed.lastSeq);

      const onLost = () => stream.end('error', ENGINE_LOST_EVENT);
      feed.on('entry', deliver);
      store.on('lost', onLost);
      stream.onClose(() => {
        feed.off('entry', deliver);
        store.off('lost', onLost);
      });
    },
  );
};

export default eventRoutes;
