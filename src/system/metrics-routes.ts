import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { appError } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import type { MetricsView } from './system-view.js';

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Prometheus text at /metrics; bearer-protected when METRICS_TOKEN is set. */
const metricsRoutes: FastifyPluginAsyncTypebox<{ services: MetricsView; metrics: Metrics; metricsToken?: string; containerStats: boolean }> = async (
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

async function refreshContainerGauges({ containers, groups }: MetricsView, metrics: Metrics, containerStats: boolean): Promise<void> {
  const engine = await containers.engineStatus.check();
  metrics.engineUp.set(engine.reachable ? 1 : 0);
  metrics.containersByState.reset();
  metrics.containerCpu.reset();
  metrics.containerMemory.reset();
  // Served from the store: a scrape costs the engine nothing (nothing more until it is synced).
  const counts = containers.countsByState();
  if (!counts) return;
  for (const [state, n] of Object.entries(counts)) metrics.containersByState.set({ state }, n);
  metrics.groupUp.reset();
  for (const { group, status } of groups.statuses()) metrics.groupUp.set({ group, status }, 1);
  if (!containerStats) return;
  for (const { container, usage } of await containers.stats.running()) {
    const labels = { name: container.name, group: container.group ?? '' };
    if (usage.cpuPercent !== null) metrics.containerCpu.set(labels, usage.cpuPercent);
    metrics.containerMemory.set(labels, usage.memory.usage);
  }
}

export default metricsRoutes;
