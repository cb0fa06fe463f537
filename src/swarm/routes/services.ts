import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses } from '../../http/common-schemas.js';
import { openStream, type StreamSettings } from '../../http/sse/open.js';
import { streamResponse } from '../../http/sse/events.js';
import { viewerOf } from '../../access/http/viewer.js';
import {
  EngineQuerySchema,
  ScaleBodySchema,
  ServiceActionResultSchema,
  ServiceListSchema,
  ServiceLogsQuerySchema,
  ServiceLogsResponseSchema,
  ServiceParamsSchema,
  ServiceStatsSchema,
  StackListSchema,
  VersionQuerySchema,
} from '../schemas.js';
import type { ServiceLogs } from '../service-logs.js';
import type { ServiceStatsReader } from '../service-stats.js';
import type { SwarmServices } from '../swarm-service.js';
import { SWARM_LOG_STREAM } from '../stream-schemas.js';

const tags = ['swarm'];
const REF = 'A service the caller may not see is 404, as one that does not exist. `{ref}` is an id, unique id prefix or name; `engine:ref` or `?engine=` picks the engine (may be left out while only one engine has the name).';
const STALE = 'Sent with the version index given (`version`), else the current one: a stale one answers 409 SWARM_VERSION_CONFLICT.';

/** /api/v1/swarm/services and /stacks: services with their tasks, scale, rolling restart, rollback, logs. */
const serviceRoutes: FastifyPluginAsyncTypebox<{ services: SwarmServices; logs: ServiceLogs; stats: ServiceStatsReader; streams: StreamSettings }> = async (
  app,
  { services, logs, stats, streams },
) => {
  app.get(
    '/swarm/services',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Swarm services of the manager engines, with replicas desired and running',
        description: 'Engines that are not swarm managers have none (listed in `engines` with manager: false).',
        querystring: EngineQuerySchema,
        response: { 200: ServiceListSchema, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => services.list(viewerOf(request), request.query.engine),
  );

  app.get(
    '/swarm/stacks',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Stacks: the services the caller may see, grouped by com.docker.stack.namespace',
        querystring: EngineQuerySchema,
        response: { 200: StackListSchema, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => ({ stacks: await services.stacks(viewerOf(request), request.query.engine) }),
  );

  app.get(
    '/swarm/services/:ref',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'One service with its tasks (state, node, error, container)',
        description: REF,
        params: ServiceParamsSchema,
        querystring: EngineQuerySchema,
        response: { 200: Type.Ref('SwarmServiceDetails'), ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => services.details(request.params.ref, viewerOf(request), request.query.engine),
  );

  app.post(
    '/swarm/services/:ref/scale',
    {
      config: { access: { permission: 'EXECUTE' }, audit: { body: ['replicas', 'version'] } },
      schema: {
        tags,
        summary: 'Scale a replicated service',
        description: `Answers once the engine accepted the spec; tasks follow (GET the service, or /swarm/events). ${STALE} ${REF}`,
        params: ServiceParamsSchema,
        querystring: EngineQuerySchema,
        body: ScaleBodySchema,
        response: { 200: ServiceActionResultSchema, ...errorResponses(400, 403, 404, 409, 503) },
      },
    },
    async (request) =>
      services.act(request.params.ref, 'scale', viewerOf(request), { engine: request.query.engine, version: request.body.version, replicas: request.body.replicas }),
  );

  for (const action of ['restart', 'rollback'] as const) {
    app.post(
      `/swarm/services/:ref/${action}`,
      {
        config: { access: { permission: 'EXECUTE' } },
        schema: {
          tags,
          summary: action === 'restart' ? 'Rolling restart: replace every task (ForceUpdate)' : 'Roll back to the previous spec',
          description: `${STALE} ${REF}`,
          params: ServiceParamsSchema,
          querystring: VersionQuerySchema,
          response: { 200: ServiceActionResultSchema, ...errorResponses(400, 403, 404, 409, 503) },
        },
      },
      async (request) => services.act(request.params.ref, action, viewerOf(request), { engine: request.query.engine, version: request.query.version }),
    );
  }

  app.get(
    '/swarm/services/:ref/stats',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: "CPU and memory of the service's running tasks on the engine's own node, with totals",
        description: REF,
        params: ServiceParamsSchema,
        querystring: EngineQuerySchema,
        response: { 200: ServiceStatsSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => stats.read(request.params.ref, request.query, viewerOf(request)),
  );

  app.get(
    '/swarm/services/:ref/logs',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Logs of every task of a service, each line with its task and node; follow=true streams them (SSE)',
        description: `With follow=true: \`open\`, one \`log\` per line, \`end\` when the service is removed. ${REF}`,
        params: ServiceParamsSchema,
        querystring: ServiceLogsQuerySchema,
        response: {
          200: streamResponse(SWARM_LOG_STREAM, 'The lines as JSON; with follow=true, as Server-Sent Events (SwarmLogStreamMessage)', ServiceLogsResponseSchema),
          ...errorResponses(400, 404, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      if (request.query.follow) return logs.follow(request.params.ref, request.query, viewerOf(request), () => openStream(request, reply, streams, SWARM_LOG_STREAM));
      return logs.read(request.params.ref, request.query, viewerOf(request));
    },
  );
};

export default serviceRoutes;
