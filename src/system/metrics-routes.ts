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
  // Every engine probed at once (each probe cached for a second): a slow one delays only itself.
  const states = await Promise.all(containers.engines.map((u) => u.status.check()));
  metrics.engineLatency.reset();
  containers.engines.forEach((u, i) => {
    const state = states[i];
    metrics.engineUp.set({ engine: u.name }, state?.reachable ? 1 : 0);
    metrics.engineSynced.set({ engine: u.name }, u.store.isSynced ? 1 : 0);
    if (state?.reachable && state.latencyMs !== undefined) metrics.engineLatency.set({ engine: u.name }, state.latencyMs / 1000);
  });
  metrics.containersByState.reset();
  metrics.containerCpu.reset();
  metrics.containerMemory.reset();
  // Served from the stores: a scrape costs the engines nothing (an engine counts once synced).
  const counts = containers.countsByState();
  if (Object.keys(counts).length === 0) return;
  for (const [engine, byState] of Object.entries(counts)) for (const [state, n] of Object.entries(byState)) metrics.containersByState.set({ engine, state }, n);
  metrics.groupUp.reset();
  for (const { group, status } of groups.statuses()) metrics.groupUp.set({ group, status }, 1);
  if (!containerStats) return;
  for (const { container, usage } of await containers.stats.running()) {
    const labels = { name: container.name, group: container.group ?? '', engine: container.engine };
    if (usage.cpuPercent !== null) metrics.containerCpu.set(labels, usage.cpuPercent);
    metrics.containerMemory.set(labels, usage.memory.usage);
  }
}

export default metricsRoutes;
