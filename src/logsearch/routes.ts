import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { viewerOf } from '../access/http/viewer.js';
import { errorResponses } from '../http/common-schemas.js';
import { openStream, type StreamSettings } from '../http/sse/open.js';
import type { LogSearchService } from './log-search.js';
import { LOG_SEARCH_STREAM, LogSearchQuerySchema } from './schemas.js';

const tags = ['logs'];

/** /api/v1/logs/search: matches stream out as they are found, then one summary. */
const logSearchRoutes: FastifyPluginAsyncTypebox<{ search: LogSearchService; streams: StreamSettings }> = async (app, { search, streams }) => {
  app.get(
    '/logs/search',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Search the logs of a group, a compose project, a name pattern or every visible container',
        description:
          'Streams `start` (the containers searched), one `match` per matching line as soon as it is found ({container: {id, name, engine}, stream, timestamp, line}), then `summary` (containers, linesScanned, matches, truncated, timedOut, failed, durationMs). ' +
          '`Accept: text/event-stream` answers Server-Sent Events; otherwise (application/x-ndjson) each message is one JSON line {event, data}. ' +
          'Only containers in the caller\'s groups are read. q is plain text unless regex=true (RE2 syntax, linear time: no backreferences or lookahead; a pattern too large to run is 400 LOG_SEARCH_PATTERN_TOO_COMPLEX). ' +
          'order=newest (default) reads the last lines of every log first, then time backwards in growing windows, and sends matches newest first across the containers; order=oldest sends each container\'s matches in the order the engine stores them as they are read, containers interleaved. ' +
          'A search ends at `limit` matches (truncated) or after LOG_SEARCH_TIMEOUT_MS (timedOut, partial); leaving stops every engine read.',
        querystring: LogSearchQuerySchema,
        response: {
          200: {
            description: 'The search as Server-Sent Events or NDJSON (LogSearchMessage)',
            content: {
              'text/event-stream': { schema: Type.Ref(LOG_SEARCH_STREAM.id) },
              'application/x-ndjson': { schema: Type.Ref(LOG_SEARCH_STREAM.id) },
            },
          },
          ...errorResponses(400, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      // Refusals (pattern, range, group) answer as JSON before anything streams.
      const prepared = await search.prepare(request.query, viewerOf(request));
      const format = (request.headers.accept ?? '').includes('text/event-stream') ? 'sse' : 'ndjson';
      const stream = openStream(request, reply, streams, LOG_SEARCH_STREAM, format);
      stream.send('start', { containers: prepared.containers, order: prepared.order });
      const run = prepared.start({
        match: (match) => void stream.send('match', match),
        backpressure: () => (stream.congested ? new Promise<void>((resolve) => stream.onDrain(resolve)) : undefined),
      });
      // The client left (or lost access, or the service stops): no engine read outlives it.
      stream.onClose(() => run.cancel());
      try {
        stream.end('summary', await run.done);
      } catch (err) {
        request.log.error({ err }, 'log search failed');
        stream.end('error', { code: 'INTERNAL_ERROR', message: 'The search failed; see the service log' });
      }
    },
  );
};

export default logSearchRoutes;
