import type {} from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { appError } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { IdentitySchema, LoginBodySchema, LoginResponseSchema } from '../../schemas/auth.js';
import type { AccessServices } from '../../services/access.js';
import { SESSION_COOKIE } from '../access.js';
import { identityOf } from './identity.js';

const tags = ['auth'];

export interface AuthRouteOptions {
  access: AccessServices;
  cookieSecure: 'auto' | 'true' | 'false';
  loginPerMinute: number;
}

/** /api/v1/auth: login (token + httpOnly SameSite=Strict cookie), logout, me. */
const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (app, { access, cookieSecure, loginPerMinute }) => {
  const secure = (request: FastifyRequest) => (cookieSecure === 'auto' ? request.protocol === 'https' : cookieSecure === 'true');
  // A second, per-name limit: spreading guesses over many addresses must not help.
  const userLimit = app.createRateLimit({
    max: loginPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => `login-user:${String((request.body as { username?: string } | undefined)?.username ?? '').toLowerCase()}`,
  });
  const perUsername = async (request: FastifyRequest, reply: FastifyReply) => {
    const limit = await userLimit(request);
    if (!limit.isAllowed && limit.isExceeded) {
      reply.header('retry-after', String(limit.ttlInSeconds));
      throw appError('RATE_LIMITED', `Too many login attempts for this user name; retry in ${limit.ttlInSeconds} s`);
    }
  };

  app.post(
    '/auth/login',
    {
      config: {
        access: { public: true },
        audit: { body: ['username'] },
        rateLimit: { max: loginPerMinute, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => `login-ip:${request.ip}` },
      },
      preHandler: perUsername,
      schema: {
        tags,
        summary: 'Log in with a local user: returns a token and sets an httpOnly session cookie',
        body: LoginBodySchema,
        response: { 200: LoginResponseSchema, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      request.auditActor = username.slice(0, 64);
      const user = await access.users.authenticate(username, password);
      if (!user) throw appError('INVALID_CREDENTIALS');
      const { token, expiresAt } = await access.tokens.sign({ sub: user.username, role: user.role, uid: user.id, ver: user.tokenVersion });
      const principal = await access.authenticator.authenticate(token, 'cookie');
      request.principal = principal;
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: secure(request),
        path: '/',
        maxAge: expiresAt - Math.floor(Date.now() / 1000),
      });
      return { token, expiresAt, identity: identityOf(principal) };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: { authenticated: true } },
      schema: { tags, summary: 'Revoke the current token and clear the session cookie', response: { 200: Type.Object({ loggedOut: Type.Boolean() }), ...errorResponses(401) } },
    },
    async (request, reply: FastifyReply) => {
      const p = request.principal;
      if (p?.tokenId && p.expiresAt) access.revocations.revoke(p.tokenId, p.expiresAt);
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(request) });
      return { loggedOut: true };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: { authenticated: true } },
      schema: { tags, summary: 'Who am I: identity, role, permissions and groups', response: { 200: IdentitySchema, ...errorResponses(401) } },
    },
    async (request) => identityOf(request.principal!),
  );
};

export default authRoutes;
