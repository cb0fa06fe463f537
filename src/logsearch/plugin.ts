import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config.js';
import { payloadSchemas } from '../http/sse/events.js';
import { LogSearchService } from './log-search.js';
import logSearchRoutes from './routes.js';
import { LOG_SEARCH_STREAM } from './schemas.js';

declare module 'fastify' {
  interface FastifyInstance {
    logSearch: LogSearchService;
  }
}

/** Log search over the containers feature's logs, scoped by the groups feature's catalog. */
const logSearchPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const registers = [app.metrics.registry];
  const searches = new Counter({ name: 'gdm_logsearch_searches_total', help: 'Log searches run', registers });
  const scanned = new Counter({ name: 'gdm_logsearch_lines_scanned_total', help: 'Log lines read by log searches', registers });
  const { containers, logs, store } = app.containers;
  const service = new LogSearchService({ containers, logs, catalog: app.groups.catalog, store }, config.logSearch, {
    started: () => searches.inc(),
    scanned: (lines) => scanned.inc(lines),
  });
  new Gauge({
    name: 'gdm_logsearch_engine_reads',
    help: 'Engine log reads open for log searches right now',
    registers,
    collect() {
      this.set(service.reads.open);
    },
  });
  app.decorate('logSearch', service);
  for (const schema of payloadSchemas(LOG_SEARCH_STREAM)) app.addSchema(schema);
  app.addSchema(LOG_SEARCH_STREAM.message);
  await app.register(logSearchRoutes, { prefix: '/api/v1', search: service, streams: app.sse });
};

export default fp(logSearchPlugin, { name: 'logsearch', fastify: '5.x', dependencies: ['containers', 'groups', 'access', 'sse'] });
