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
  return app;
}

export interface ErrorBody {
  error: { code: string; message: string };
  requestId: string;
}
