import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../errors.js';
import { errorResponses } from '../http/common-schemas.js';
import {
  ComposeDownBodySchema,
  ComposeProjectsSchema,
  ComposeResultSchema,
  ComposeStatusQuerySchema,
  ComposeStatusSchema,
  type ComposeDownBody,
  type ComposeResult,
  type ComposeUpBody,
} from './schemas.js';
import { ComposeUpBodySchema } from './schemas.js';
import type { AuditLog } from '../access/audit.js';
import type { ComposeService } from './compose-service.js';
import { auditRequest } from '../access/http/audit-hook.js';
import { openStream, type StreamSettings } from '../http/sse/open.js';
import type { SseStream } from '../http/sse/sse.js';
import { streamResponse, type EventsOf } from '../http/sse/events.js';
import { COMPOSE_STREAM } from './stream-schemas.js';
import { viewerOf } from '../access/http/viewer.js';

const tags = ['compose'];
const COMPOSE_200 = 'The result as JSON; with Accept: text/event-stream, the output as Server-Sent Events (ComposeStreamMessage)';

function failed(result: ComposeResult) {
  const why = result.timedOut ? 'timed out and was stopped' : `exited with code ${result.exitCode}`;
  return appError('COMPOSE_FAILED', `compose ${result.action} of ${result.project} ${why}`, { result });
}

/** /api/v1/compose: projects, status, and up (WRITE) / down (DELETE) with the real tool. */
const composeRoutes: FastifyPluginAsyncTypebox<{ compose: ComposeService; streams: StreamSettings; audit: AuditLog }> = async (
  app,
  { compose, streams, audit },
) => {
  app.get(
    '/compose/projects',
    {
      config: { access: { permission: 'READ' } },
      schema: { tags, summary: 'Compose projects: under COMPOSE_PROJECTS_DIR, declared, and adopted from running containers', response: { 200: ComposeProjectsSchema, ...errorResponses(401, 503) } },
    },
    async (request) => ({
      tool: compose.tool ? { command: compose.tool.command.join(' '), version: compose.tool.version } : null,
      projects: await compose.projects(viewerOf(request)),
    }),
  );

  app.get(
    '/compose/status',
    {
      config: { access: { permission: 'READ' } },
      schema: { tags, summary: 'Per service: containers, state, health, ports', querystring: ComposeStatusQuerySchema, response: { 200: ComposeStatusSchema, ...errorResponses(400, 401, 404, 503) } },
    },
    async (request) => compose.status(request.query.project, viewerOf(request)),
  );

  /** Runs an operation as JSON, or streams the tool's output when asked (once every check passed). */
  const execute = async (request: FastifyRequest, reply: FastifyReply, action: 'up' | 'down', body: ComposeUpBody | ComposeDownBody) => {
    if (!(request.headers.accept ?? '').includes('text/event-stream')) {
      const result = await compose.run(action, body, {}, viewerOf(request));
      if (result.exitCode !== 0) throw failed(result);
      return result;
    }
    // A refusal (thrown before `started`) answers as JSON; the stream opens only when the tool runs.
    let stream: SseStream<EventsOf<typeof COMPOSE_STREAM.events>> | undefined;
    const result = await compose.run(action, body, {
      started: (argv) => {
        stream = openStream(request, reply, streams, COMPOSE_STREAM);
        stream.send('accepted', { project: body.project, action, command: argv });
      },
      // The tool runs to its end even if the client leaves; its output then goes unread.
      onLine: (line) => stream?.send('output', line),
    }, viewerOf(request));
    auditRequest(audit, request, result.exitCode === 0 ? 200 : 409, reply.elapsedTime);
    stream?.end('result', result);
  };

  app.post(
    '/compose/up',
    {
      config: { access: { permission: 'WRITE' }, audit: { body: ['project', 'files', 'services', 'options'] } },
      schema: {
        tags,
        summary: 'docker compose up -d for a managed project (no builds or pulls unless asked and allowed)',
        description: 'With `Accept: text/event-stream` the output streams as `output` events ({stream, text}), then one `result`. A non-zero exit answers 409 COMPOSE_FAILED with the result in error.details.',
        body: ComposeUpBodySchema,
        response: { 200: streamResponse(COMPOSE_STREAM, COMPOSE_200, ComposeResultSchema), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => execute(request, reply, 'up', request.body),
  );

  app.post(
    '/compose/down',
    {
      config: { access: { permission: 'DELETE' }, audit: { body: ['project', 'files', 'options'] } },
      schema: {
        tags,
        summary: 'docker compose down for a managed project',
        body: ComposeDownBodySchema,
        response: { 200: streamResponse(COMPOSE_STREAM, COMPOSE_200, ComposeResultSchema), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => execute(request, reply, 'down', request.body),
  );
};

export default composeRoutes;
