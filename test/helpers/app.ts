import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { buildApp, type App, type AppOptions } from '../../src/app.js';
import type { Role } from '../../src/access/permissions.js';
import { loadConfig } from '../../src/config.js';
import { SseClient } from './sse-client.js';


export interface TestApp extends App {
  /** Headers of the default caller (an admin unless the test says otherwise). */
  authHeaders: Record<string, string>;
  tokenFor(role: Role, extra?: { sub?: string; groups?: string[]; engines?: string[] }): Promise<string>;
}

/**
 * Builds the app against the real engine (no port) and closes it when the test ends.
 * inject() calls carry an admin bearer token unless they set their own authorization
 * (pass `authorization: ''` to send none).
 */
export async function buildTestApp(
  t: Pick<TestContext, 'after'> | { after: (fn: () => Promise<void>) => void },
  env: Record<string, string> = {},
  extra: Partial<AppOptions> = {},
): Promise<TestApp> {
  // Each app its own data folder: tests (and test files run side by side) share no database.
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gdm-test-data-'));
  const config = loadConfig({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '100000', ...env });
  const app = (await buildApp({ config, logger: false, ...extra })) as TestApp;
  t.after(async () => {
    await app.close();
    if (env.DATA_DIR === undefined) rmSync(dataDir, { recursive: true, force: true });
  });
  await app.ready();
  // Start from a synced store, as a long-running service would be; an outage test's
  // dead engine simply never syncs.
  await app.containers.store.ready(10_000).catch(() => undefined);
  app.tokenFor = async (role, more = {}) =>
    (await app.access.tokens.sign({ sub: more.sub ?? `test-${role}`, role, ...(more.groups ? { groups: more.groups } : {}), ...(more.engines ? { engines: more.engines } : {}) })).token;
  app.authHeaders = { authorization: `Bearer ${await app.tokenFor('admin')}` };
  const inject = app.inject.bind(app) as (opts: unknown) => unknown;
  (app as unknown as { inject: (opts: unknown) => unknown }).inject = (opts: unknown) => {
    if (typeof opts === 'string') return inject({ url: opts, headers: app.authHeaders });
    const o = opts as { headers?: Record<string, string> };
    const headers = { ...app.authHeaders, ...(o.headers ?? {}) };
    if (headers.authorization === '') delete (headers as Record<string, string | undefined>).authorization;
    return inject({ ...o, headers });
  };
  return app;
}

/** Builds the app and listens on a random local port, for streaming tests. */
export async function listenTestApp(
  t: { after: (fn: () => Promise<void>) => void },
  env: Record<string, string> = {},
  extra: Partial<AppOptions> = {},
): Promise<{ app: TestApp; base: string; headers: Record<string, string> }> {
  const app = await buildTestApp(t, env, extra);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  SseClient.defaultHeaders = app.authHeaders;
  defaultFetchHeaders = app.authHeaders;
  return { app, base: `http://127.0.0.1:${port}`, headers: app.authHeaders };
}

let defaultFetchHeaders: Record<string, string> = {};

/** fetch with the last listening test app's admin token unless the call sets its own. */
export function authFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...defaultFetchHeaders, ...(init.headers as Record<string, string> | undefined) } });
}

export interface ErrorBody {
  error: { code: string; message: string };
  requestId: string;
}
