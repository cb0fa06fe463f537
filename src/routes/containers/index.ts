import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ContainerParamsSchema, errorResponses } from '../../schemas/common.js';
import {
  ActionResultSchema,
  ContainerListSchema,
  ListQuerySchema,
  LogsQuerySchema,
  LogsResponseSchema,
  StatsResponseSchema,
  StopQuerySchema,
} from '../../schemas/containers.js';
import type { Services } from '../../services/index.js';

const tags = ['containers'];

/** /api/v1/containers: list, details, lifecycle, logs and stats. */
const containerRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { containers, logs, stats } = services;

  app.get(
    '/containers',
    {
      schema: {
        tags,
        summary: 'List containers',
        querystring: ListQuerySchema,
        response: { 200: ContainerListSchema, ...errorResponses(400, 503) },
      },
    },
    async (request) => {
      const list = await containers.list(request.query);
      return { containers: list, total: list.length };
    },
  );

  app.get(
    '/containers/:id',
    {
      schema: {
        tags,
        summary: 'Container details',
        params: ContainerParamsSchema,
        response: { 200: Type.Ref('ContainerDetails'), ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => containers.details(request.params.id),
  );

  app.post(
    '/containers/:id/start',
    {
      schema: {
        tags,
        summary: 'Start a container',
        params: ContainerParamsSchema,
        response: { 200: ActionResultSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => containers.act(request.params.id, 'start'),
  );

  for (const action of ['stop', 'restart'] as const) {
    app.post(
      `/containers/:id/${action}`,
      {
        schema: {
          tags,
          summary: action === 'stop' ? 'Stop a container' : 'Restart a container',
          params: ContainerParamsSchema,
          querystring: StopQuerySchema,
          response: { 200: ActionResultSchema, ...errorResponses(400, 404, 409, 503) },
        },
      },
      async (request) => containers.act(request.params.id, action, request.query.timeout),
    );
  }

  app.get(
    '/containers/:id/logs',
    {
      schema: {
        tags,
        summary: 'Recent logs, stdout and stderr kept apart',
        params: ContainerParamsSchema,
        querystring: LogsQuerySchema,
        response: { 200: LogsResponseSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => logs.read(request.params.id, request.query),
  );

  app.get(
    '/containers/:id/stats',
    {
      schema: {
        tags,
        summary: 'CPU, memory, network, block I/O and pids of a running container',
        params: ContainerParamsSchema,
        response: { 200: StatsResponseSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => stats.sample(request.params.id),
  );
};

export default containerRoutes;
