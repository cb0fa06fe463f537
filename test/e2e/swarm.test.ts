import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { requireTestEngines, dockerOn, type TestEngine } from '../helpers/test-engines.js';
import { SwarmFixture } from '../helpers/swarm.js';

const runId = randomBytes(4).toString('hex');
const name = `gdm-t-swarm-e2e-${runId}`;
const ADMIN_PASSWORD = 'e2e-admin-password-1';
let e2: TestEngine;
let fixture: SwarmFixture;
let app: App;
let base = '';
let browser: Browser;

before(async () => {
  ({ e2 } = await requireTestEngines());
  fixture = new SwarmFixture(e2, runId);
  await fixture.create({ name, replicas: 2 });
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'gdm-e2e-')), ADMIN_PASSWORD, RATE_LIMIT_PER_MINUTE: '100000', DOCKER_HOST: e2.url });
  app = await buildApp({ config, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.close();
  await fixture?.cleanup();
});

test('swarm page: services with replica bars, live scale, task list, nodes', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  await page.goto(`${base}/#/swarm`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Swarm' }).click();
  const row = page.getByTestId(`swarm-service-${name}`);
  // Live: the page reloads on /swarm/events until both tasks run.
  await row.getByText('2/2').waitFor({ timeout: 60_000 });
  await row.getByLabel(`Replicas of ${name}`).fill('3');
  await row.getByRole('button', { name: 'Scale' }).click();
  await row.getByText('3/3').waitFor({ timeout: 60_000 });
  assert.equal((await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', name)).trim(), '3');
  await row.getByRole('button', { name }).click();
  const tasks = page.getByRole('table', { name: `Tasks of ${name}` });
  await tasks.locator('.pill', { hasText: /^running$/ }).nth(2).waitFor({ timeout: 30_000 });
  const hostname = (await dockerOn(e2, 'node', 'inspect', 'self', '--format', '{{.Description.Hostname}}')).trim();
  await page.getByTestId(`swarm-node-${hostname}`).getByText('manager').waitFor();
  await screenshot(page, 'swarm');
});
