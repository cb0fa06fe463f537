import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, isAppError, type ErrorCode } from '../errors.js';

interface Rendered {
  status: number;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** Fastify's own 4xx errors (parsing, validation) mapped onto our codes. */
const FASTIFY_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_ERROR',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export function renderError(err: unknown): Rendered {
  if (isAppError(err)) return { status: err.status, code: err.code, message: err.message, details: err.details };
  const fe = (err ?? {}) as Partial<FastifyError>;
  if (fe.validation) return { status: 400, code: 'VALIDATION_ERROR', message: fe.message ?? ERRORS.VALIDATION_ERROR.message };
  const code = fe.statusCode !== undefined ? FASTIFY_STATUS_CODES[fe.statusCode] : undefined;
  if (code) return { status: ERRORS[code].status, code, message: fe.message ?? ERRORS[code].message };
  return { status: 500, code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR.message };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, rendered: Rendered): FastifyReply {
  const error = { code: rendered.code, message: rendered.message, ...(rendered.details ? { details: rendered.details } : {}) };
  return reply.code(rendered.status).type('application/json; charset=utf-8').send({ error, requestId: request.id });
}

/** One place renders every error as `{ error: { code, message }, requestId }`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const rendered = renderError(err);
    // The detail goes to the log only; the caller gets the table's text.
    if (rendered.status === 500) request.log.error({ err }, 'request failed');
    else if (isAppError(err) && err.internal !== undefined) request.log.warn({ code: rendered.code, engine: String(err.internal) }, 'engine call failed');
    return sendError(reply, request, rendered);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, { status: 404, code: 'NOT_FOUND', message: `No route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}` }),
  );
}
