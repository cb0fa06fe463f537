import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses } from '../../http/common-schemas.js';
import {
  CreateUserSchema,
  PasswordBodySchema,
  RevokeUserTokensResponseSchema,
  UpdateUserSchema,
  UserListSchema,
  UserParamsSchema,
  UserSchema,
} from '../schemas.js';
import type { UserService } from '../users.js';

const tags = ['users'];
const adminOnly = { access: { adminOnly: true as const } };

/** /api/v1/users (admin): list, create, change role/groups/state, reset password, delete. */
const userRoutes: FastifyPluginAsyncTypebox<{ users: UserService }> = async (app, { users }) => {
  app.get('/users', { config: adminOnly, schema: { tags, summary: 'List users', response: { 200: UserListSchema, ...errorResponses(401, 403) } } }, async () => ({
    users: users.list(),
  }));

  app.post(
    '/users',
    { config: { ...adminOnly, audit: { body: ['username', 'role', 'groups', 'engines'] } }, schema: { tags, summary: 'Create a user', body: CreateUserSchema, response: { 201: UserSchema, ...errorResponses(400, 401, 403, 409) } } },
    async (request, reply) => {
      const { username, password, role, groups, engines } = request.body;
      reply.code(201);
      return users.create({ username, password, role, groups: groups ?? null, engines: engines ?? null });
    },
  );

  app.get(
    '/users/:userId',
    { config: adminOnly, schema: { tags, summary: 'One user', params: UserParamsSchema, response: { 200: UserSchema, ...errorResponses(401, 403, 404) } } },
    async (request) => users.get(request.params.userId),
  );

  app.patch(
    '/users/:userId',
    {
      config: { ...adminOnly, audit: { body: ['role', 'groups', 'engines', 'disabled'] } },
      schema: {
        tags,
        summary: "Change a user's role, groups, engines or disabled state (their tokens stop working at once)",
        params: UserParamsSchema,
        body: UpdateUserSchema,
        response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => users.update(request.params.userId, request.body),
  );

  app.post(
    '/users/:userId/password',
    {
      // The action says a password was set; the password itself is never recorded.
      config: { ...adminOnly, audit: { body: [] } },
      schema: {
        tags,
        summary: "Reset a user's password (their tokens stop working at once)",
        params: UserParamsSchema,
        body: PasswordBodySchema,
        response: { 200: Type.Object({ changed: Type.Boolean() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await users.setPassword(request.params.userId, request.body.password);
      return { changed: true };
    },
  );

  app.post(
    '/users/:userId/revoke-tokens',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: "Revoke every token issued to a user so far (open streams end too); the user may log in again",
        params: UserParamsSchema,
        response: { 200: RevokeUserTokensResponseSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const user = users.revokeTokens(request.params.userId);
      return { userId: user.id, username: user.username, revoked: true as const };
    },
  );

  app.delete(
    '/users/:userId',
    {
      config: adminOnly,
      schema: { tags, summary: 'Delete a user', params: UserParamsSchema, response: { 200: Type.Object({ deleted: Type.Boolean() }), ...errorResponses(401, 403, 404, 409) } },
    },
    async (request) => {
      users.delete(request.params.userId);
      return { deleted: true };
    },
  );
};

export default userRoutes;
