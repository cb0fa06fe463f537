import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canSeeEngine } from '../../access/principal.js';
import { viewerOf } from '../../access/http/viewer.js';
import { errorResponses } from '../../http/common-schemas.js';
import type { EngineUnit } from '../engines/engine-unit.js';
import { engineView, EngineListSchema } from '../engines/engine-view.js';
import type { MergedStore } from '../engines/merged-store.js';

/** /api/v1/engines: every engine the service follows, with its state (never key material). */
const engineRoutes: FastifyPluginAsyncTypebox<{ units: readonly EngineUnit[]; store: Pick<MergedStore, 'lastSeen'> }> = async (app, { units, store }) => {
  app.get(
    '/engines',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags: ['engines'],
        summary: 'The engines: URL (without secrets), reachable, synced, version, API version, containers, running, last error, latency',
        response: { 200: EngineListSchema, ...errorResponses(401, 403) },
      },
    },
    // Probed side by side: one slow engine delays this answer by at most its own probe.
    // Engines outside the caller's scope do not exist for it.
    async (request) => ({ engines: await Promise.all(units.filter((u) => canSeeEngine(viewerOf(request), u.name)).map((u) => engineView(u, store))) }),
  );
};

export default engineRoutes;
