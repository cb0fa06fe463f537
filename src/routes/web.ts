import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { PACKAGE } from '../version.js';

/** Where `npm run build:web` puts the dashboard. */
export const WEB_ROOT = join(PACKAGE.root, 'dist', 'web');

export function dashboardBuilt(): boolean {
  return existsSync(join(WEB_ROOT, 'index.html'));
}

/**
 * Serves the dashboard's static assets under /assets/ (public: the page itself shows the
 * login). The page is served at / to browsers (content negotiation in probes.ts).
 */
export async function registerDashboard(app: FastifyInstance): Promise<void> {
  if (!dashboardBuilt()) {
    app.log.info('dashboard not built (npm run build:web): serving the API only');
    return;
  }
  await app.register(fastifyStatic, {
    root: join(WEB_ROOT, 'assets'),
    prefix: '/assets/',
    decorateReply: true,
    index: false,
    immutable: true,
    maxAge: '365d',
  });
}
