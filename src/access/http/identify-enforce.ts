import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../authenticator.js';
import { hasPermission, type RouteAccess } from '../permissions.js';
import type { Principal } from '../principal.js';
import { appError, type AppError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route requires; a route without it is refused (fail closed). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
    authError: AppError | null;
    /** The token the principal came from: long-lived streams re-check it (streams/access-guard.ts). */
    credential: Credential | null;
  }
}

export const SESSION_COOKIE = 'gdm_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes added by plugins (the OpenAPI UI, the dashboard's static files) that carry no access config of ours. */
const PUBLIC_PREFIXES = ['/docs', '/assets'];

export interface Credential {
  token: string;
  via: Principal['via'];
}

function presentedToken(request: FastifyRequest): Credential | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? { token: match[1] as string, via: 'bearer' } : { token: '', via: 'bearer' };
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

/**
 * Step 1 (before rate limiting): find out who calls. A bad token is remembered, not
 * thrown, so that the rate limiter still counts the request by client address.
 */
export function registerIdentify(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('authError', null);
  app.decorateRequest('credential', null);
  app.addHook('onRequest', async (request) => {
    const presented = presentedToken(request);
    if (!presented) return;
    try {
      if (!presented.token) throw appError('UNAUTHORIZED', 'The Authorization header must be "Bearer <token>"');
      request.principal = await authenticator.authenticate(presented.token, presented.via);
      request.credential = presented;
    } catch (err) {
      request.authError = err as AppError;
    }
  });
}

/**
 * Step 2 (after rate limiting): enforce what the route declares. Cookie-authenticated
 * changes must come from our own origin or an allowed one (CSRF).
 */
export function registerEnforce(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no such route: the 404 handler answers
    if (PUBLIC_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`))) return;
    const access = request.routeOptions.config.access;
    if (!access) throw appError('FORBIDDEN', 'This route declares no access rule');
    if ('public' in access) return;
    if (request.authError) throw request.authError;
    const principal = request.principal;
    if (!principal) {
      reply.header('www-authenticate', 'Bearer');
      throw appError('UNAUTHORIZED');
    }
    if ('permission' in access && !hasPermission(principal.role, access.permission)) {
      throw appError('FORBIDDEN', `Your role (${principal.role}) lacks the ${access.permission} permission`);
    }
    if ('adminOnly' in access && principal.role !== 'admin') throw appError('FORBIDDEN', 'Only admins may do this');
    if (principal.via === 'cookie' && !SAFE_METHODS.has(request.method)) checkOrigin(request, allowedOrigins);
  });
}

function checkOrigin(request: FastifyRequest, allowedOrigins: readonly string[]): void {
  const own = `${request.protocol}://${request.host}`;
  const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
  if (!origin || (origin !== own && !allowedOrigins.includes(origin))) throw appError('ORIGIN_REJECTED');
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
