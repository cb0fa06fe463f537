import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appError } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { GroupActionQuerySchema, GroupActionResultSchema, GroupDetailsSchema, GroupListSchema, GroupParamsSchema } from '../../schemas/groups.js';
import type { GroupActionResult } from '../../schemas/groups.js';
import type { Services } from '../../services/index.js';
import { viewerOf } from '../viewer.js';
import type { AuditLog } from '../../services/audit.js';
import { auditRequest } from '../audit-hook.js';
import { openStream, type StreamSettings } from '../streams/open.js';

const tags = ['services'];

/** A failed run answers 409 with the whole result in `details`, so a caller sees where it stopped. */
function failureError(result: GroupActionResult) {
  const f = result.failure;
  const where = f ? `group ${f.group}, step ${f.step}, ${f.reason}` : 'unknown step';
  return appError('GROUP_OPERATION_FAILED', `${result.action} of ${result.group} stopped at ${where}`, { result });
}

/** /api/v1/services: groups, their members, and dependency-ordered, health-gated start/stop. */
const groupRoutes: FastifyPluginAsyncTypebox<{ services: Services; streams: StreamSettings; audit: AuditLog }> = async (app, { services, streams, audit }) => {
  const { groups, groupRunner } = services;

  app.get(
    '/services',
    {
      config: { access: { permission: 'READ' } },
      schema: { tags, summary: 'Service groups with status, member counts and usage', response: { 200: GroupListSchema, ...errorResponses(401, 503) } },
    },
    async (request) => ({ groups: await groups.list(viewerOf(request)) }),
  );

  app.get(
    '/services/:group',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'One group: members by start step with state, health, uptime, CPU and memory; its dependencies',
        params: GroupParamsSchema,
        response: { 200: GroupDetailsSchema, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => groups.details(request.params.group, viewerOf(request)),
  );

  for (const action of ['start', 'stop'] as const) {
    app.post(
      `/services/:group/${action}`,
      {
        config: { access: { permission: 'EXECUTE' } },
        schema: {
          tags,
          summary:
            action === 'start'
              ? 'Start a group step by step, each step running and healthy before the next'
              : 'Stop a group in reverse start order (dependants first)',
          description:
            'With `Accept: text/event-stream` progress streams as `progress` events, then one `result` event. A failure answers 409 GROUP_OPERATION_FAILED with the result in error.details.',
          params: GroupParamsSchema,
          querystring: GroupActionQuerySchema,
          response: { 200: GroupActionResultSchema, ...errorResponses(400, 404, 409, 429, 503) },
        },
      },
      async (request, reply) => {
        const { withDependencies, stepTimeout, timeout } = request.query;
        await services.store.ready();
        const operation = groupRunner.reserve(
          request.params.group,
          action,
          { withDependencies, stepTimeoutMs: stepTimeout * 1000, stopTimeout: timeout },
          viewerOf(request),
        );
        const wantsStream = (request.headers.accept ?? '').includes('text/event-stream');
        if (!wantsStream) {
          const result = await operation.run();
          if (!result.ok) throw failureError(result);
          return result;
        }
        let stream;
        try {
          stream = openStream(request, reply, streams);
        } catch (err) {
          operation.cancel(); // no stream slot: run nothing, free the groups
          throw err;
        }
        stream.send('accepted', { action, group: request.params.group, groups: operation.chain });
        // The operation goes on if the client leaves: nothing is left half-done on purpose.
        const result = await operation.run((event) => stream.send('progress', event));
        // A hijacked answer skips onSend: write the audit row here, before the result leaves.
        auditRequest(audit, request, result.ok ? 200 : 409, reply.elapsedTime);
        stream.end('result', result);
      },
    );
  }
};

export default groupRoutes;
