import type { TestContext } from 'node:test';
import { buildApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

/** Builds the app against the real engine (no port) and closes it when the test ends. */
export async function buildTestApp(
  t: Pick<TestContext, 'after'> | { after: (fn: () => Promise<void>) => void },
  env: Record<string, string> = {},
  extra: Partial<AppOptions> = {},
): Promise<App> {
  const config = loadConfig({ DATA_DIR: '/tmp/gdm-test-data', ...env });
  const app = await buildApp({ config, logger: false, ...extra });
  t.after(() => app.close());
  await app.ready();
  // Start from a synced store, as a long-running service would be; an outage test's
  // dead engine simply never syncs.
  await app.services.store.ready(10_000).catch(() => undefined);
  return app;
}

export interface ErrorBody {
  error: { code: string; message: string };
  requestId: string;
}

/** Builds the app and listens on a random local port, for streaming tests. */
export async function listenTestApp(
  t: { after: (fn: () => Promise<void>) => void },
  env: Record<string, string> = {},
): Promise<{ app: App; base: string }> {
  const app = await buildTestApp(t, env);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, base: `http://127.0.0.1:${port}` };
}
