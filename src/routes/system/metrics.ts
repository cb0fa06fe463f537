import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { appError } from '../../errors.js';
import type { Metrics } from '../../metrics.js';
import type { Services } from '../../services/index.js';

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Prometheus text at /metrics; bearer-protected when METRICS_TOKEN is set. */
const metricsRoutes: FastifyPluginAsyncTypebox<{ services: Services; metrics: Metrics; metricsToken?: string }> = async (
  app,
  { services, metrics, metricsToken },
) => {
  app.get(
    '/metrics',
    { schema: { tags: ['system'], summary: 'Prometheus metrics', response: { 200: Type.String(), 401: Type.Ref('ErrorResponse') } } },
    async (request, reply) => {
      if (metricsToken && !tokenMatches(request.headers.authorization, metricsToken)) {
        throw appError('UNAUTHORIZED', 'A valid bearer token (METRICS_TOKEN) is required for /metrics');
      }
      await refreshContainerGauges(services, metrics);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
};

async function refreshContainerGauges(services: Services, metrics: Metrics): Promise<void> {
  const engine = await services.engineStatus.check();
  metrics.engineUp.set(engine.reachable ? 1 : 0);
  metrics.containersByState.reset();
  if (!engine.reachable) return;
  try {
    const counts: Record<string, number> = {};
    for (const c of await services.containers.list({ all: true })) counts[c.state] = (counts[c.state] ?? 0) + 1;
    for (const [state, n] of Object.entries(counts)) metrics.containersByState.set({ state }, n);
  } catch {
    metrics.engineUp.set(0);
  }
}

export default metricsRoutes;
