import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/common-schemas.js';
import { RevokeSubjectResponseSchema, SubjectParamsSchema } from '../schemas.js';
import type { Revocations } from '../revocations.js';

/**
 * /api/v1/subjects (admin): revoke tokens by subject. For tokens this service did not
 * issue (the platform's, the CLI's), whose `sub` is not a local user: every token of that
 * subject issued up to now is refused. Local users: POST /users/{id}/revoke-tokens.
 */
const subjectRoutes: FastifyPluginAsyncTypebox<{ revocations: Revocations }> = async (app, { revocations }) => {
  app.post(
    '/subjects/:subject/revoke-tokens',
    {
      config: { access: { adminOnly: true } },
      schema: {
        tags: ['auth'],
        summary: 'Revoke every token issued so far to a subject (any `sub`, local user or not); open streams end too',
        params: SubjectParamsSchema,
        response: { 200: RevokeSubjectResponseSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { subject } = request.params;
      return { subject, revokedBefore: revocations.revokeSubject(subject) };
    },
  );
};

export default subjectRoutes;
