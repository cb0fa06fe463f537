import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { appError } from '../../errors.js';
import { errorResponses } from '../../http/common-schemas.js';
import { IdentitySchema, LoginBodySchema, LoginResponseSchema } from '../schemas.js';
import type { AccessServices } from '../access-services.js';
import { LoginGuard } from '../login-guard.js';
import { SESSION_COOKIE } from '../http/identify-enforce.js';
import { viewerOf } from '../http/viewer.js';
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
  const guard = new LoginGuard(app.rateLimits, loginPerMinute);
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    // The body is validated (LoginBodySchema) before preHandler hooks run.
    const refusal = await guard.admit(request.ip, (request.body as Static<typeof LoginBodySchema>).username);
    if (refusal) {
      reply.header('retry-after', String(refusal.retryAfterSeconds));
      throw appError('RATE_LIMITED', refusal.message);
    }
  };

  app.post(
    '/auth/login',
    {
      config: { access: { public: true }, audit: { body: ['username'] } },
      // After body validation: the per-name rules need the name (see LoginGuard).
      preHandler: admit,
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
      if (!user) {
        await guard.failed(request.ip, username);
        throw appError('INVALID_CREDENTIALS');
      }
      await guard.succeeded(request.ip, username);
      const { token, expiresAt } = await access.tokens.sign({ sub: user.username, role: user.role, uid: user.id, ver: user.tokenVersion, stamp: user.tokenStamp });
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
      // Every accepted token has a revocation key (jti, else its hash): logout always holds.
      const p = viewerOf(request);
      access.revocations.revoke(p.tokenId, p.expiresAt);
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
