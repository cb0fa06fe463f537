import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLE_DESCRIPTIONS, ROLE_PERMISSIONS, ROLES, type Role } from '../permissions.js';
import { seesUngrouped } from '../principal.js';
import { errorResponses } from '../../http/common-schemas.js';
import { AuditQuerySchema, AuditResponseSchema, RolesResponseSchema } from '../schemas.js';
import type { AuditLog } from '../audit.js';

export interface AdminRouteOptions {
  audit: AuditLog;
  accessLevelsEnabled: boolean;
  roleGroups: Record<Role, string[]>;
  roleEngines: Record<Role, string[]>;
}

/** /api/v1/audit (admin) and /api/v1/roles (any authenticated caller). */
const adminRoutes: FastifyPluginAsyncTypebox<AdminRouteOptions> = async (app, { audit, accessLevelsEnabled, roleGroups, roleEngines }) => {
  app.get(
    '/audit',
    {
      config: { access: { adminOnly: true } },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first; filter by actor, action, outcome, time; page with `before`',
        querystring: AuditQuerySchema,
        response: { 200: AuditResponseSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => audit.query(request.query),
  );

  app.get(
    '/roles',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['auth'],
        summary: 'Roles, their permissions and default groups',
        response: { 200: RolesResponseSchema, ...errorResponses(401) },
      },
    },
    async () => ({
      accessLevelsEnabled,
      roles: ROLES.map((name) => ({
        name,
        description: ROLE_DESCRIPTIONS[name],
        permissions: [...ROLE_PERMISSIONS[name]],
        groups: roleGroups[name],
        seesUngrouped: seesUngrouped(name, roleGroups[name]),
        engines: roleEngines[name],
        manageUsersAndAudit: name === 'admin',
      })),
    }),
  );
};

export default adminRoutes;
