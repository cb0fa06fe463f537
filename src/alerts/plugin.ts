import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { payloadSchemas } from '../http/sse/events.js';
import { openDatabase } from '../storage/database.js';
import { createAlertsFeature, type AlertsFeature } from './feature.js';
import alertRoutes from './routes.js';
import { AlertListSchema, AlertRuleListSchema, AlertRuleViewSchema, AlertSchema, SilenceSchema, TestResultSchema } from './schemas.js';
import { ALERTS_STREAM } from './stream-schemas.js';

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertsFeature;
  }
}

/**
 * Alerts to webhooks (README "Alerts"): rules validated while the app is built (a bad file
 * or a refused notifier target stops it), watchers from onReady, workers stopped on close.
 * Its own connection to the embedded database (WAL: readers and this writer side by side).
 */
const alertsPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const db = openDatabase(config.dataDir);
  app.addHook('onClose', async () => db.close());
  const feature = await createAlertsFeature({
    config,
    db,
    registry: app.metrics.registry,
    containers: app.containers,
    updateMarks: app.containers.containers.marks,
    catalog: app.groups.catalog,
    isBusy: (group) => app.groups.groupRunner.isBusy(group),
    log: app.log,
  });
  app.decorate('alerts', feature);
  app.addHook('onReady', async () => feature.start());
  app.addHook('preClose', async () => feature.close());
  for (const schema of [AlertSchema, AlertListSchema, AlertRuleViewSchema, AlertRuleListSchema, SilenceSchema, TestResultSchema]) app.addSchema(schema);
  for (const schema of payloadSchemas(ALERTS_STREAM)) app.addSchema(schema);
  app.addSchema(ALERTS_STREAM.message);
  await app.register(alertRoutes, { prefix: '/api/v1', alerts: feature, streams: app.sse });
};

export default fp(alertsPlugin, { name: 'alerts', fastify: '5.x', dependencies: ['http', 'access', 'sse', 'containers', 'groups'] });
