import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EngineState } from '../containers/engine-status.js';
import type { ProbeView } from './system-view.js';
import { HealthResponseSchema, LiveResponseSchema, ReadyResponseSchema, RootSchema } from './schemas.js';
import { PACKAGE } from '../version.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardBuilt, WEB_ROOT } from '../http/dashboard.js';
import type { ComposeService } from '../compose/compose-service.js';
import { PROBE_WAIT_MS } from '../containers/engines/engine-view.js';

const tags = ['system'];

function engineView(state: EngineState) {
  return {
    reachable: state.reachable,
    checkedAt: state.checkedAt,
    version: state.info?.version ?? null,
    apiVersion: state.info?.apiVersion ?? null,
    ...(state.reachable ? {} : { hint: state.hint }),
  };
}

/** Unauthenticated probes: `/`, `/health`, `/live`, `/ready`, also under /api/v1. */
const probeRoutes: FastifyPluginAsyncTypebox<{ services: ProbeView; compose: ComposeService }> = async (app, { services, compose }) => {
  const { engineStatus } = services;
  const startedAt = Date.now();

  app.get(
    '/',
    { config: { access: { public: true } }, schema: { tags, summary: 'Service name, version, engine and links (browsers get the dashboard)', response: { 200: RootSchema } } },
    async (request, reply) => {
      // A browser asking for HTML gets the dashboard; scripts and probes get JSON.
      if (dashboardBuilt() && (request.headers.accept ?? '').includes('text/html')) {
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(join(WEB_ROOT, 'index.html')) as never);
      }
      return rootInfo();
    },
  );

  const rootInfo = async () => ({
    name: PACKAGE.name,
    version: PACKAGE.version,
    engine: engineView(await engineStatus.check()),
    links: { docs: '/docs', openapi: '/openapi.json', health: '/health', ready: '/ready', metrics: '/metrics', api: '/api/v1' },
  });

  const projectsFile = () => {
    const state = compose.projectsFileState();
    return state ? { projectsFile: state } : {};
  };

  for (const prefix of ['', '/api/v1']) {
    app.get(`${prefix}/health`, { logLevel: 'warn', config: { access: { public: true } }, schema: { tags, summary: 'Service health', response: { 200: HealthResponseSchema } } }, async () => {
      const [engine, ...others] = await Promise.all(services.engines.map((u) => u.status.checkWithin(PROBE_WAIT_MS)));
      const reachable = (engine?.reachable ?? false) && others.every((s) => s.reachable);
      return {
        status: reachable ? ('ok' as const) : ('degraded' as const),
        version: PACKAGE.version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        engine: engineView(engine ?? (await engineStatus.check())),
        engines: services.engines.map((u) => ({ name: u.name, required: u.required, reachable: u.status.current.reachable, synced: u.store.isSynced })),
        compose: compose.tool ? { command: compose.tool.command.join(' '), version: compose.tool.version, ...projectsFile() } : null,
        rateLimits: app.rateLimits.status(),
      };
    });

    app.get(`${prefix}/live`, { logLevel: 'warn', config: { access: { public: true } }, schema: { tags, summary: 'The process is alive', response: { 200: LiveResponseSchema } } }, async () => ({
      status: 'alive' as const,
    }));

    app.get(
      `${prefix}/ready`,
      { logLevel: 'warn', config: { access: { public: true } }, schema: { tags, summary: 'Ready when the engine answers', response: { 200: ReadyResponseSchema, 503: ReadyResponseSchema } } },
      async (_request, reply) => {
        // Ready when every required engine answers and its containers are synced; optional ones never hold it.
        const required = services.engines.filter((u) => u.required);
        const states = await Promise.all(required.map((u) => u.status.check()));
        const engine = await engineStatus.check();
        const waiting = required.filter((u, i) => !states[i]?.reachable || !u.store.isSynced);
        if (waiting.length === 0) return { ready: true, engine: engineView(engine) };
        const several = services.engines.length > 1;
        const down = waiting.filter((u) => !u.status.current.reachable);
        const reason =
          down.length > 0
            ? several ? `Required engine(s) unreachable: ${down.map((u) => u.name).join(', ')}` : 'The Docker engine is unreachable'
            : several ? `Syncing container state with required engine(s): ${waiting.map((u) => u.name).join(', ')}` : 'Syncing container state with the engine';
        return reply.code(503).send({ ready: false, engine: engineView(engine), reason });
      },
    );
  }
};

export default probeRoutes;
