import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { appError } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import { groupStatus } from '../groups/group-service.js';
import type { SystemView } from './system-view.js';

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Prometheus text at /metrics; bearer-protected when METRICS_TOKEN is set. */
const metricsRoutes: FastifyPluginAsyncTypebox<{ services: SystemView; metrics: Metrics; metricsToken?: string; containerStats: boolean }> = async (
  app,
  { services, metrics, metricsToken, containerStats },
) => {
  app.get(
    '/metrics',
    { config: { access: { public: true } }, schema: { tags: ['system'], summary: 'Prometheus metrics', response: { 200: Type.String(), 401: Type.Ref('ErrorResponse') } } },
    async (request, reply) => {
      if (metricsToken && !tokenMatches(request.headers.authorization, metricsToken)) {
        throw appError('UNAUTHORIZED', 'A valid bearer token (METRICS_TOKEN) is required for /metrics');
      }
      await refreshContainerGauges(services, metrics, containerStats);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
};

async function refreshContainerGauges(services: SystemView, metrics: Metrics, containerStats: boolean): Promise<void> {
  const engine = await services.engineStatus.check();
  metrics.engineUp.set(engine.reachable ? 1 : 0);
  metrics.containersByState.reset();
  metrics.containerCpu.reset();
  metrics.containerMemory.reset();
  // Served from the store: a scrape costs the engine nothing.
  if (!services.store.isSynced) return;
  const all = services.store.summaries();
  const counts: Record<string, number> = {};
  for (const c of all) counts[c.state] = (counts[c.state] ?? 0) + 1;
  for (const [state, n] of Object.entries(counts)) metrics.containersByState.set({ state }, n);
  metrics.groupUp.reset();
  for (const g of services.groups.catalog.groups) {
    const members = services.groups.catalog.membersOf(g, all).map((m) => m.container);
    metrics.groupUp.set({ group: g.name, status: groupStatus(members) }, 1);
  }
  if (!containerStats) return;
  const running = all.filter((c) => c.state === 'running');
  const usage = await services.stats.collector.usage(running.map((c) => c.id));
  for (const c of running) {
    const u = usage.get(c.id);
    if (!u) continue;
    const labels = { name: c.name, group: c.group ?? '' };
    if (u.cpuPercent !== null) metrics.containerCpu.set(labels, u.cpuPercent);
    metrics.containerMemory.set(labels, u.memory.usage);
  }
}

export default metricsRoutes;
