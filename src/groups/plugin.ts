import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import type { GroupCatalog } from './catalog.js';
import type { GroupsFeature } from './feature.js';
import { GroupRunner } from './group-runner.js';
import { GroupService } from './group-service.js';
import type { ServiceMembers } from './service-members.js';
import groupRoutes from './routes.js';
import { GROUP_STREAM } from './stream-schemas.js';
import { payloadSchemas } from '../http/sse/events.js';

declare module 'fastify' {
  interface FastifyInstance {
    groups: GroupsFeature;
  }
}

/** Over the containers feature's store; the catalog is made at start (see groups/load.ts). */
/** `services`: swarm services that groups may name as members (app.ts hands over the swarm feature's). */
const groupsPlugin: FastifyPluginAsync<{ config: Config; catalog: GroupCatalog; services?: ServiceMembers }> = async (app, { config, catalog, services }) => {
  const { store, stats, containers } = app.containers;
  const feature: GroupsFeature = {
    catalog,
    groups: new GroupService(catalog, store, stats, containers.marks, services),
    groupRunner: new GroupRunner(catalog, store, containers, { stepTimeoutMaxSeconds: config.groups.stepTimeoutMaxSeconds }, services),
  };
  app.decorate('groups', feature);
  for (const schema of payloadSchemas(GROUP_STREAM)) app.addSchema(schema);
  app.addSchema(GROUP_STREAM.message);
  await app.register(groupRoutes, { prefix: '/api/v1', groups: feature.groups, groupRunner: feature.groupRunner, streams: app.sse, audit: app.access.audit });
};

export default fp(groupsPlugin, { name: 'groups', fastify: '5.x', dependencies: ['containers', 'access', 'sse'] });
