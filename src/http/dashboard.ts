import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { PACKAGE } from '../version.js';
import { sendError } from './error-handler.js';

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
  await app.register(async (scope) => {
    // The file server refuses a folder, a dotfile or a path leaving its root with 403: to a
    // caller each is simply no such file. Other errors (412, 416) go on to the app's
    // handler, which keeps every 4xx a coded 4xx.
    scope.setErrorHandler((err, request, reply) => {
      const { statusCode, headers } = err as { statusCode?: number; headers?: Record<string, string> };
      // A 416 tells the file's real length, so that the client can ask again.
      if (statusCode === 416 && headers?.['Content-Range']) reply.header('content-range', headers['Content-Range']);
      if (statusCode !== 403) throw err;
      return sendError(reply, request, { status: 404, code: 'NOT_FOUND', message: 'No such file' });
    });
    await scope.register(fastifyStatic, {
      root: join(WEB_ROOT, 'assets'),
      prefix: '/assets/',
      decorateReply: true,
      index: false,
      immutable: true,
      maxAge: '365d',
    });
  });
}
