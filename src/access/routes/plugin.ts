import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.js';
import adminRoutes from './audit.js';
import authRoutes from './auth.js';
import subjectRoutes from './subjects.js';
import userRoutes from './users.js';

/** Login, logout, identity, users, subject revocation, audit and roles: /api/v1. */
const accessRoutesPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  await app.register(authRoutes, {
    prefix: '/api/v1',
    access: app.access,
    cookieSecure: config.auth.cookieSecure,
    loginPerMinute: config.rateLimit.loginPerMinute,
  });
  await app.register(userRoutes, { prefix: '/api/v1', users: app.access.users });
  await app.register(subjectRoutes, { prefix: '/api/v1', revocations: app.access.revocations });
  await app.register(adminRoutes, {
    prefix: '/api/v1',
    audit: app.access.audit,
    accessLevelsEnabled: config.auth.accessLevelsEnabled,
    roleGroups: config.auth.roleGroups,
    roleEngines: config.auth.roleEngines,
  });
};

export default fp(accessRoutesPlugin, { name: 'access-routes', fastify: '5.x', dependencies: ['access', 'openapi'] });
