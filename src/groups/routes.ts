import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../errors.js';
import { errorResponses, NotModifiedSchema } from '../http/common-schemas.js';
import { readyBody, sendReady, serializerOf } from '../http/etag.js';
import {
  GroupActionQuerySchema,
  GroupActionResultSchema,
  GroupCancelResultSchema,
  GroupDetailsSchema,
  GroupListSchema,
  GroupParamsSchema,
} from './schemas.js';
import type { GroupActionResult } from './schemas.js';
import type { GroupRunner } from './group-runner.js';
import type { GroupService } from './group-service.js';
import { viewerOf } from '../access/http/viewer.js';
import type { AuditLog } from '../access/audit.js';
import { auditRequest } from '../access/http/audit-hook.js';
import { openStream, type StreamSettings } from '../http/sse/open.js';
import { streamResponse } from '../http/sse/events.js';
import { GROUP_STREAM } from './stream-schemas.js';

const tags = ['services'];

/** A failed or cancelled run answers 409 with the whole result in `details`, so a caller sees where it stopped. */
function failureError(result: GroupActionResult) {
  if (result.cancelled) {
    return appError('GROUP_OPERATION_CANCELLED', `${result.action} of ${result.group} was cancelled by ${result.cancelled.by}`, { result });
  }
  const f = result.failure;
  const where = f ? `group ${f.group}, step ${f.step}, ${f.reason}` : 'unknown step';
  return appError('GROUP_OPERATION_FAILED', `${result.action} of ${result.group} stopped at ${where}`, { result });
}

/**
 * A group view with an ETag of its exact bytes. Group views carry usage (every stats
 * sample) and uptimes (every second), so they are made per request and the tag covers all
 * of it: a 304 only when not one byte changed, never hiding new usage, state or uptime.
 */
function sendView(request: FastifyRequest, reply: FastifyReply, view: unknown) {
  return sendReady(request, reply, readyBody(serializerOf(reply)(view)));
}

/** /api/v1/services: groups, their members, and dependency-ordered, health-gated start/stop. */
const groupRoutes: FastifyPluginAsyncTypebox<{ groups: GroupService; groupRunner: GroupRunner; streams: StreamSettings; audit: AuditLog }> = async (
  app,
  { groups, groupRunner, streams, audit },
) => {
  app.get(
    '/services',
    {
      config: { access: { permission: 'READ' } },
      schema: { tags, summary: 'Service groups with status, member counts and usage', response: { 200: GroupListSchema, 304: NotModifiedSchema, ...errorResponses(401, 503) } },
    },
    async (request, reply) => sendView(request, reply, { groups: await groups.list(viewerOf(request)) }),
  );

  app.get(
    '/services/:group',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'One group: members by start step with state, health, uptime, CPU and memory; its dependencies',
        params: GroupParamsSchema,
        response: { 200: GroupDetailsSchema, 304: NotModifiedSchema, ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => sendView(request, reply, await groups.details(request.params.group, viewerOf(request))),
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
            'With `Accept: text/event-stream` progress streams as `progress` events, then one `result` event. A failure answers 409 GROUP_OPERATION_FAILED with the result in error.details; a cancelled run (DELETE /services/{group}/operation) 409 GROUP_OPERATION_CANCELLED, with a `cancelled` progress event on a stream. stepTimeout and timeout above GROUP_STEP_TIMEOUT_MAX_SECONDS answer 400.',
          params: GroupParamsSchema,
          querystring: GroupActionQuerySchema,
          response: {
            200: streamResponse(GROUP_STREAM, 'The result as JSON; with Accept: text/event-stream, the progress as Server-Sent Events (GroupStreamMessage)', GroupActionResultSchema),
            ...errorResponses(400, 403, 404, 409, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const { withDependencies, stepTimeout, timeout } = request.query;
        const operation = await groupRunner.prepare(request.params.group, action, { withDependencies, stepTimeout, stopTimeout: timeout }, viewerOf(request));
        const wantsStream = (request.headers.accept ?? '').includes('text/event-stream');
        if (!wantsStream) {
          const result = await operation.run();
          if (!result.ok) throw failureError(result);
          return result;
        }
        let stream;
        try {
          stream = openStream(request, reply, streams, GROUP_STREAM);
        } catch (err) {
          operation.release(); // no stream slot: run nothing, free the groups
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

  app.delete(
    '/services/:group/operation',
    {
      config: { access: { permission: 'EXECUTE' } },
      schema: {
        tags,
        summary: 'Cancel the running start or stop that holds a group',
        description:
          'An admin, or the caller who started it, may cancel; others get 403. The operation stops waiting at once (an engine call in flight completes on its own), answers 409 GROUP_OPERATION_CANCELLED (a stream gets a `cancelled` progress event and a result with `cancelled`), and every group it held is free when this answers. 404 GROUP_OPERATION_NOT_FOUND when none runs.',
        params: GroupParamsSchema,
        response: { 200: GroupCancelResultSchema, ...errorResponses(400, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const cancelled = await groupRunner.cancel(request.params.group, viewerOf(request));
      request.log.info({ group: cancelled.group, action: cancelled.action, startedBy: cancelled.startedBy, cancelledBy: cancelled.cancelledBy }, 'group operation cancelled');
      return cancelled;
    },
  );
};

export default groupRoutes;
