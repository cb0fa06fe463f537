import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit.js';
import { auditDetails, requireAuditDeclaration } from './audit-details.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Refusals of the caller (not of the request's content): no login, no right, wrong host, too many. */
const DENIED = new Set([401, 403, 421, 429]);

declare module 'fastify' {
  interface FastifyRequest {
    audited: boolean;
    /** Who a login attempt was for, when there is no principal yet. */
    auditActor?: string;
    /** The container the request acted on, once the route resolved it: recorded with the reference given. */
    auditContainer?: { engine: string; id: string };
  }
}

function target(request: FastifyRequest): string | null {
  const params = (request.params ?? {}) as Record<string, string>;
  const value = params['id'] ?? params['ref'] ?? params['group'] ?? params['userId'] ?? params['subject'] ?? null;
  return value === null ? null : String(value).slice(0, 200);
}

/** Writes the audit row of a mutating request. Called before its answer is sent. */
export function auditRequest(audit: AuditLog, request: FastifyRequest, status: number, durationMs: number): void {
  if (request.audited || READ_METHODS.has(request.method)) return;
  request.audited = true;
  audit.record({
    time: new Date().toISOString(),
    actor: request.principal?.sub ?? request.auditActor ?? '-',
    role: request.principal?.role ?? null,
    ip: request.ip,
    method: request.method,
    action: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]?.slice(0, 200)}`,
    target: target(request),
    outcome: status < 400 ? 'allowed' : DENIED.has(status) ? 'denied' : 'failed',
    status,
    durationMs: Math.round(durationMs),
    requestId: request.id,
    details: auditDetails(request),
  });
}

/**
 * Every mutating request — allowed, denied or failed — is in the audit log before its
 * answer leaves. If the row cannot be written, the answer becomes a 500: nothing is
 * acknowledged that the log does not hold.
 */
export function registerAuditHook(app: FastifyInstance, audit: AuditLog): void {
  app.decorateRequest('audited', false);
  app.addHook('onRoute', requireAuditDeclaration);
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (request.audited || READ_METHODS.has(request.method)) return payload;
    try {
      auditRequest(audit, request, reply.statusCode, reply.elapsedTime);
      return payload;
    } catch (err) {
      request.log.error({ err }, 'audit write failed');
      reply.code(500).type('application/json; charset=utf-8');
      return JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'Internal error' }, requestId: request.id });
    }
  });
}
