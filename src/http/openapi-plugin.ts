import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { PACKAGE } from '../version.js';
import { relaxDefaultedQueryParameters } from './openapi.js';

const TAGS = [
  { name: 'system', description: 'Probes, metrics and documentation' },
  { name: 'containers', description: 'Containers of the engine' },
  { name: 'streams', description: 'Server-Sent Events: container changes, logs, stats' },
  { name: 'services', description: 'Service groups: tiers started in dependency order, health-gated' },
  { name: 'auth', description: 'Login, logout, identity, roles' },
  { name: 'users', description: 'Local users (admin)' },
  { name: 'audit', description: 'The audit log (admin)' },
  { name: 'compose', description: 'Compose projects with the real compose tool' },
];

/**
 * The OpenAPI document, built from every route's schemas (registered before the routes so
 * that it sees them all), its UI at /docs and the document at /openapi.json.
 */
const openApiPlugin: FastifyPluginAsync = async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'gui-docker-manager',
        version: PACKAGE.version,
        description: 'Manage the Docker containers of a multi-service platform: named operations only, never a raw Docker API proxy.',
      },
      tags: TAGS,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: 'gdm_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transformObject: (documentObject) => {
      const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
      relaxDefaultedQueryParameters(document as Parameters<typeof relaxDefaultedQueryParameters>[0]);
      return document;
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { config: { access: { public: true } }, schema: { hide: true } }, async () => app.swagger());
};

export default fp(openApiPlugin, { name: 'openapi', fastify: '5.x', dependencies: ['http'] });
