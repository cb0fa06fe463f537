import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, isAppError, type ErrorCode } from '../errors.js';

interface Rendered {
  status: number;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * 4xx errors of Fastify and its plugins (parsing, validation, static files) mapped onto our
 * codes. Any other 4xx becomes a 400: a client's mistake is never a 500.
 */
export const FASTIFY_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_ERROR',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  421: 'MISDIRECTED_REQUEST',
  429: 'RATE_LIMITED',
};

export function renderError(err: unknown): Rendered {
  if (isAppError(err)) return { status: err.status, code: err.code, message: err.message, details: err.details };
  const fe = (err ?? {}) as Partial<FastifyError>;
  if (fe.validation) return { status: 400, code: 'VALIDATION_ERROR', message: fe.message ?? ERRORS.VALIDATION_ERROR.message };
  const status = fe.statusCode ?? (err as { status?: number } | null)?.status;
  if (status !== undefined && status >= 400 && status < 500) {
    const code = FASTIFY_STATUS_CODES[status];
    if (code) return { status: ERRORS[code].status, code, message: fe.message || ERRORS[code].message };
    // An unforeseen 4xx: the table's text, since nobody vetted this one's for callers.
    return { status: 400, code: 'VALIDATION_ERROR', message: ERRORS.VALIDATION_ERROR.message };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR.message };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, rendered: Rendered): FastifyReply {
  const error = { code: rendered.code, message: rendered.message, ...(rendered.details ? { details: rendered.details } : {}) };
  return reply.code(rendered.status).type('application/json; charset=utf-8').send({ error, requestId: request.id });
}

/** Errors the router raises before any hook runs (a malformed URL escape): coded as well. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, request, renderError(err));
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
