import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../errors.js';
import { ContainerParamsSchema, errorResponses } from '../http/common-schemas.js';
import { openStream, type StreamSettings } from '../http/sse/open.js';
import { streamResponse } from '../http/sse/events.js';
import { viewerOf } from '../access/http/viewer.js';
import type { AuditLog } from '../access/audit.js';
import { auditRequest } from '../access/http/audit-hook.js';
import { GroupParamsSchema } from '../groups/schemas.js';
import type { AuditTrail } from './rollout.js';
import { ContainerUpdateQuerySchema, PruneResultSchema, RolloutQuerySchema, RolloutResultSchema, UpdateCheckQuerySchema, UpdateListSchema, type RolloutResult } from './schemas.js';
import { UPDATE_STREAM } from './stream-schemas.js';
import type { UpdateRun, UpdateService } from './update-service.js';

const tags = ['updates'];
const STREAM_NOTE =
  'With `Accept: text/event-stream` progress streams as `progress` events (pull status, steps, members, rollbacks), then one `result` event. A failed step answers 409 UPDATE_FAILED with the result in error.details (its members are back on their previous image).';

function failureError(result: RolloutResult) {
  const f = result.failure;
  const where = !f ? 'an unknown step' : f.phase === 'pull' ? 'the pull' : `group ${f.group}, step ${f.step}${f.containers.length ? ` (${f.containers.join(', ')})` : ''}`;
  return appError('UPDATE_FAILED', `update of ${result.group} stopped at ${where}: ${f?.reason ?? 'failed'}`, { result });
}

/** One audit row per re-create and rollback, as the caller's, beside the request's own row. */
function trailOf(request: FastifyRequest, audit: AuditLog): AuditTrail {
  return (e) =>
    audit.record({
      time: new Date().toISOString(),
      actor: request.principal?.sub ?? '-',
      role: request.principal?.role ?? null,
      ip: request.ip,
      method: 'POST',
      action: `UPDATE ${e.action}`,
      target: e.target.slice(0, 200),
      outcome: e.ok ? 'allowed' : 'failed',
      status: e.ok ? 200 : 409,
      durationMs: Math.round(e.durationMs),
      requestId: request.id,
      details: { body: e.details },
    });
}

/** Runs a prepared update as JSON, or as a stream of its progress. */
async function answer(request: FastifyRequest, reply: FastifyReply, run: UpdateRun, label: string, streams: StreamSettings, audit: AuditLog) {
  const trail = trailOf(request, audit);
  if (!(request.headers.accept ?? '').includes('text/event-stream')) {
    const result = await run.run(() => undefined, trail);
    if (!result.ok) throw failureError(result);
    return result;
  }
  let stream;
  try {
    stream = openStream(request, reply, streams, UPDATE_STREAM);
  } catch (err) {
    run.release();
    throw err;
  }
  stream.send('accepted', { group: label, groups: run.groups });
  const result = await run.run((e) => stream.send('progress', e), trail);
  auditRequest(audit, request, result.ok ? 200 : 409, reply.elapsedTime);
  stream.end('result', result);
  return reply;
}

/** /api/v1/updates and the update actions of groups and containers. */
const updateRoutes: FastifyPluginAsyncTypebox<{ updates: UpdateService; intervalSeconds: number; streams: StreamSettings; audit: AuditLog }> = async (
  app,
  { updates, intervalSeconds, streams, audit },
) => {
  app.get(
    '/updates',
    {
      config: { access: { permission: 'READ' } },
      schema: { tags, summary: 'The last image update check of each container you may see', response: { 200: UpdateListSchema, ...errorResponses(401, 503) } },
    },
    async (request) => ({ updates: updates.checker.list(viewerOf(request)), lastCheck: updates.lastCheck, intervalSeconds }),
  );

  app.post(
    '/updates/check',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Check now whether newer images exist (registry digest vs the running image\'s); never pulls',
        description: 'One group (`group`), one container (`container`), or every container you may see. Results are kept with their time and shown in container, group and compose views.',
        querystring: UpdateCheckQuerySchema,
        response: { 200: UpdateListSchema, ...errorResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const checked = new Set((await updates.check(request.query, viewerOf(request))).map((u) => u.id));
      return { updates: updates.checker.list(viewerOf(request)).filter((u) => checked.has(u.id)), lastCheck: updates.lastCheck, intervalSeconds };
    },
  );

  app.post(
    '/services/:group/update',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags: ['services', ...tags],
        summary: 'Roll new images out over a group, step by step, each step healthy before the next; roll back a failed step (WRITE on the group)',
        description: `Pulls first, then re-creates each out-of-date member with its configuration and the new image (compose members through their project). dryRun answers the plan. A group you cannot see is 404; without WRITE, 403. ${STREAM_NOTE}`,
        params: GroupParamsSchema,
        querystring: RolloutQuerySchema,
        response: { 200: streamResponse(UPDATE_STREAM, 'The result as JSON, or progress as Server-Sent Events (UpdateStreamMessage)', RolloutResultSchema), ...errorResponses(400, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => answer(request, reply, await updates.prepareGroup(request.params.group, request.query, viewerOf(request)), request.params.group, streams, audit),
  );

  app.post(
    '/containers/:id/update',
    {
      config: { access: { permission: 'EXECUTE' } },
      schema: {
        tags: ['containers', ...tags],
        summary: "Pull the container's image tag and re-create it on the new image; roll back when it does not come up",
        description: STREAM_NOTE,
        params: ContainerParamsSchema,
        querystring: ContainerUpdateQuerySchema,
        response: { 200: streamResponse(UPDATE_STREAM, 'The result as JSON, or progress as Server-Sent Events (UpdateStreamMessage)', RolloutResultSchema), ...errorResponses(400, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => answer(request, reply, await updates.prepareContainer(request.params.id, request.query, viewerOf(request)), request.params.id, streams, audit),
  );

  app.post(
    '/updates/prune',
    {
      config: { access: { adminOnly: true } },
      schema: {
        tags,
        summary: 'Remove the images that successful updates replaced, when no container uses them (admins only)',
        response: { 200: PruneResultSchema, ...errorResponses(401, 403, 503) },
      },
    },
    async () => updates.prune(),
  );
};

export default updateRoutes;
