import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ContainerParamsSchema, errorResponses, NotModifiedSchema } from '../../http/common-schemas.js';
import { sendReady, serializerOf } from '../../http/etag.js';
import { itemSerializerOf } from '../../http/json-fragments.js';
import {
  ActionResultSchema,
  ContainerListSchema,
  EngineQuerySchema,
  ListQuerySchema,
  LogsQuerySchema,
  LogsResponseSchema,
  StatsResponseSchema,
  StatsQuerySchema,
  StopQuerySchema,
} from '../schemas.js';
import { openStream, type StreamSettings } from '../../http/sse/open.js';
import type { ContainerService } from '../container-service.js';
import type { LogService } from '../logs/logs.js';
import type { StatsService } from '../stats/stats.js';
import { streamResponse } from '../../http/sse/events.js';
import { CONTAINER_STATS_STREAM, LOG_STREAM } from '../stream-schemas.js';
import { viewerOf } from '../../access/http/viewer.js';
import { qualifiedRef } from '../container-resolver.js';
import type { FastifyRequest } from 'fastify';

/** The container a request means: its `:id` with `?engine=` folded in (`{engine}:{ref}`). */
function refOf(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  return qualifiedRef(id, (request.query as { engine?: string } | undefined)?.engine);
}

/** The audit row keeps the engine and full id acted on next to the reference the caller gave. */
function audited<T extends { engine: string; id: string }>(request: FastifyRequest, result: T): T {
  request.auditContainer = { engine: result.engine, id: result.id };
  return result;
}

const tags = ['containers'];
/** A list item as the list's schema declares it (one compiled serializer per route). */
const SUMMARY = Type.Ref('ContainerSummary');

/** /api/v1/containers: list, details, lifecycle, logs and stats. */
const containerRoutes: FastifyPluginAsyncTypebox<{ containers: ContainerService; logs: LogService; stats: StatsService; streams: StreamSettings }> = async (
  app,
  { containers, logs, stats, streams },
) => {

  app.get(
    '/containers',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'List containers',
        querystring: ListQuerySchema,
        response: { 200: ContainerListSchema, 304: NotModifiedSchema, ...errorResponses(400, 503) },
      },
    },
    // Ready bytes, made once per store change for this scope and filters; If-None-Match → 304.
    async (request, reply) => sendReady(request, reply, await containers.listReady(request.query, viewerOf(request), itemSerializerOf(reply, SUMMARY))),
  );

  app.get(
    '/containers/:id',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Container details',
        params: ContainerParamsSchema,
        querystring: EngineQuerySchema,
        response: { 200: Type.Ref('ContainerDetails'), 304: NotModifiedSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request, reply) => sendReady(request, reply, await containers.detailsReady(refOf(request), viewerOf(request), serializerOf(reply))),
  );

  app.post(
    '/containers/:id/start',
    {
      config: { access: { permission: 'EXECUTE' } },
      schema: {
        tags,
        summary: 'Start a container',
        params: ContainerParamsSchema,
        querystring: EngineQuerySchema,
        response: { 200: ActionResultSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => audited(request, await containers.act(refOf(request), 'start', viewerOf(request))),
  );

  for (const action of ['stop', 'restart'] as const) {
    app.post(
      `/containers/:id/${action}`,
      {
        config: { access: { permission: 'EXECUTE' } },
        schema: {
          tags,
          summary: action === 'stop' ? 'Stop a container' : 'Restart a container',
          params: ContainerParamsSchema,
          querystring: StopQuerySchema,
          response: { 200: ActionResultSchema, ...errorResponses(400, 404, 409, 503) },
        },
      },
      async (request) => audited(request, await containers.act(refOf(request), action, viewerOf(request), request.query.timeout)),
    );
  }

  app.get(
    '/containers/:id/logs',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Recent logs, stdout and stderr kept apart; follow=true streams them (SSE)',
        description:
          'With follow=true the answer is text/event-stream: an `open` event, one `log` event per line ({stream, text, timestamp?}), then `end` ({reason, state, exitCode}) when the container stops, or `error` when the engine goes away.',
        params: ContainerParamsSchema,
        querystring: LogsQuerySchema,
        response: {
          200: streamResponse(LOG_STREAM, 'The lines as JSON; with follow=true, as Server-Sent Events (LogStreamMessage)', LogsResponseSchema),
          ...errorResponses(400, 404, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { follow, engine: _engine, ...query } = request.query;
      if (follow) return logs.stream(refOf(request), query, viewerOf(request), () => openStream(request, reply, streams, LOG_STREAM));
      return logs.read(refOf(request), query, viewerOf(request));
    },
  );

  app.get(
    '/containers/:id/stats',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'CPU, memory, network, block I/O and pids of a running container; stream=true streams them (SSE)',
        description: 'With stream=true the answer is text/event-stream: one `stats` event per sample, then `end` when the container stops.',
        params: ContainerParamsSchema,
        querystring: StatsQuerySchema,
        response: {
          200: streamResponse(CONTAINER_STATS_STREAM, 'One sample as JSON; with stream=true, samples as Server-Sent Events (ContainerStatsStreamMessage)', StatsResponseSchema),
          ...errorResponses(400, 404, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      if (request.query.stream) return stats.watch(refOf(request), viewerOf(request), () => openStream(request, reply, streams, CONTAINER_STATS_STREAM));
      return stats.sample(refOf(request), viewerOf(request));
    },
  );
};

export default containerRoutes;
