import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import metricsRoutes from './metrics-routes.js';
import probeRoutes from './probes.js';

/** Probes (`/`, `/health`, `/live`, `/ready`) and `/metrics`, over every feature's public state. */
const systemPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  await app.register(probeRoutes, { services: app.containers, compose: app.compose });
  await app.register(metricsRoutes, { services: { containers: app.containers, groups: app.groups.groups }, metrics: app.metrics, metricsToken: config.metricsToken, containerStats: config.metricsContainerStats });
};

export default fp(systemPlugin, { name: 'system', fastify: '5.x', dependencies: ['containers', 'groups', 'compose'] });
