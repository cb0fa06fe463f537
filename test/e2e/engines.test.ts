import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { GroupDefinition } from '../../src/groups/definition.js';
import { parseGroups } from '../../src/groups/load.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { EngineSocketProxy } from '../helpers/socket-proxy.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';

/**
 * The dashboard over two engines: `local` (the shared first engine) and the test engine e2
 * (scripts/setup-test-engines.sh), in headless Chromium against the built dashboard (dist/).
 * One container of the same name runs on each, so every link and call must say its engine.
 * No engine is ever stopped: an outage is a socket proxy in front of e2 switched off.
 */

const ADMIN_PASSWORD = 'e2e-engines-admin-pw-1';
const onLocal = new Fixture();
let onE2: Fixture;
let e2: TestEngine;
let browser: Browser;
const apps: App[] = [];
const LOCAL_URL = 'unix:///var/run/docker.sock';
// The same name on both engines: a bare name is ambiguous, {engine}:{id} never is.
const shared = `gdm-t-eng-${onLocal.runId}`;
let ids: { local: string; e2: string };
// A group whose one member (the shared name) runs on both engines; a compose project adopted from e2.
const GROUP = `gdm-t-grp-${onLocal.runId}`;
const PROJECT = `gdm-t-proj-${onLocal.runId}`;

/** An app over the engines of this YAML list (ENGINES_FILE), listening on a random port. */
async function appWith(engines: string, groups?: GroupDefinition[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gdm-e2e-engines-'));
  const file = join(dir, 'engines.yaml');
  writeFileSync(file, `engines:\n${engines}`);
  const config = loadConfig({ DATA_DIR: join(dir, 'data'), ADMIN_PASSWORD, RATE_LIMIT_PER_MINUTE: '100000', ENGINES_FILE: file });
  const app = await buildApp({ config, logger: false, ...(groups ? { groups } : {}) });
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

before(async () => {
  await requireEngine();
  ({ e2 } = await requireTestEngines());
  onE2 = new Fixture(e2.cliEnv);
  const local = await onLocal.run({ name: shared, command: ['sh', '-c', `echo hello-from-local-${onLocal.runId}; sleep 3600`], stopSignalFast: true });
  const remote = await onE2.run({ name: shared, command: ['sh', '-c', `echo hello-from-e2-${onLocal.runId}; sleep 3600`], stopSignalFast: true });
  ids = { local: local.id, e2: remote.id };
  await onE2.run({ name: `${PROJECT}-web`, labels: { 'com.docker.compose.project': PROJECT, 'com.docker.compose.service': 'web' }, stopSignalFast: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const app of apps) await app.close();
  await onLocal.cleanup();
  await onE2?.cleanup();
});

async function loggedIn(base: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  page.on('console', (m) => assert.doesNotMatch(m.text(), /Content Security Policy/i, 'no CSP violation'));
  await page.goto(base);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('whoami').waitFor();
  return page;
}

/** The rows of a name (the table renders only rows in view: search first), one per engine. */
async function rowsOf(page: Page, name: string): Promise<Locator> {
  await page.getByLabel('Search containers').fill(name);
  return page.getByTestId(`row-${name}`);
}

function onEngine(page: Page, rows: Locator, engine: string): Locator {
  return rows.filter({ has: page.getByTestId('engine-cell').getByText(engine, { exact: true }) });
}

describe('the dashboard over two engines, in headless Chromium', () => {
  let base = '';
  before(async () => {
    base = await appWith(`  - name: local\n    url: ${LOCAL_URL}\n  - name: e2\n    url: ${e2.url}\n`, parseGroups({ groups: { [GROUP]: { members: [{ name: shared }] } } }));
  });

  test('the table lists the container of each engine with its engine; the engine filter narrows to one and lives in the route', async () => {
    const page = await loggedIn(base);
    const rows = await rowsOf(page, shared);
    await onEngine(page, rows, 'local').waitFor({ timeout: 10_000 });
    await onEngine(page, rows, 'e2').waitFor({ timeout: 10_000 });
    assert.equal(await rows.count(), 2, 'one row per engine');
    assert.equal(await page.getByRole('button', { name: /^Engine/ }).count(), 1, 'an engine column, sortable');
    await screenshot(page, 'engines-table');

    await page.getByLabel('Filter by engine').selectOption('e2');
    await page.waitForURL(/#\/containers\?engine=e2$/);
    await rows.first().getByTestId('engine-cell').getByText('e2', { exact: true }).waitFor();
    assert.equal(await rows.count(), 1, 'only e2 left');
    await page.getByLabel('Filter by engine').selectOption('');
    await page.waitForURL(/#\/containers$/);
    await onEngine(page, rows, 'local').waitFor();
    assert.equal(await rows.count(), 2);
    await page.close();
  });

  test("a row's link opens that engine's container (by {engine}:{id}): its engine, id and own logs", async () => {
    const page = await loggedIn(base);
    const rows = await rowsOf(page, shared);
    await onEngine(page, rows, 'e2').getByRole('link', { name: shared }).click();
    await page.waitForURL(new RegExp(`#/containers/e2%3A${ids.e2}$`));
    await page.getByTestId('engine').getByText('e2', { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByText(ids.e2, { exact: true }).waitFor();
    assert.equal((await dockerOn(e2, 'inspect', '--format', '{{.Id}}', shared)).trim(), ids.e2, "e2's own CLI names this id");
    await page.getByTestId('log-box').getByText(`hello-from-e2-${onLocal.runId}`).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('log-box').getByText(`hello-from-local-${onLocal.runId}`).count(), 0, "not the local container's logs");
    await screenshot(page, 'engines-container-page');
    await page.close();
  });

  test('a bare name on both engines (409 AMBIGUOUS) lists both; choosing one opens it', async () => {
    const page = await loggedIn(base);
    await page.goto(`${base}/#/containers/${shared}`);
    const list = page.getByTestId('ambiguous');
    await list.getByRole('link', { name: `${shared} on e2` }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'engines-ambiguous');
    await list.getByRole('link', { name: `${shared} on local` }).click();
    await page.getByTestId('engine').getByText('local', { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByText(ids.local, { exact: true }).waitFor();
    assert.equal((await docker('inspect', '--format', '{{.Id}}', shared)).trim(), ids.local);
    await page.getByTestId('log-box').getByText(`hello-from-local-${onLocal.runId}`).waitFor({ timeout: 10_000 });
    await page.close();
  });

  test("the Groups page names the engines a group spans and each member's engine; the Compose page a project's engine", async () => {
    const page = await loggedIn(base);
    await page.goto(`${base}/#/groups`);
    const card = page.getByTestId(`group-${GROUP}`);
    await card.getByTestId('group-engines').getByText('engines e2, local', { exact: true }).waitFor({ timeout: 10_000 });
    await card.getByRole('button', { name: 'Members' }).click();
    const members = page.getByRole('table', { name: `Members of ${GROUP}` });
    await members.getByTestId('member-engine').first().waitFor({ timeout: 10_000 });
    assert.deepEqual((await members.getByTestId('member-engine').allTextContents()).sort(), ['e2', 'local'], 'the shared name once per engine');
    const hrefs = await members.getByRole('link', { name: shared }).evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.deepEqual(hrefs.sort(), [`#/containers/${encodeURIComponent(`e2:${ids.e2}`)}`, `#/containers/${encodeURIComponent(`local:${ids.local}`)}`], 'each member linked on its engine');
    await screenshot(page, 'engines-groups');

    await page.goto(`${base}/#/compose`);
    const row = page.getByRole('row').filter({ hasText: PROJECT });
    await row.getByTestId('project-engine').getByText('e2', { exact: true }).waitFor({ timeout: 10_000 });
    assert.equal((await dockerOn(e2, 'ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}')).trim(), `${PROJECT}-web`, "e2's own CLI runs the project");
    await screenshot(page, 'engines-compose');
    await page.close();
  });

  test('the Engines page lists both as reachable with their versions; a container count opens the table filtered to that engine', async () => {
    const page = await loggedIn(base);
    await page.getByRole('link', { name: 'Engines', exact: true }).click();
    const versions = { local: (await docker('version', '--format', '{{.Server.Version}}')).trim(), e2: (await dockerOn(e2, 'version', '--format', '{{.Server.Version}}')).trim() };
    for (const [name, url] of [
      ['local', LOCAL_URL],
      ['e2', e2.url],
    ] as const) {
      const row = page.getByTestId(`engine-${name}`);
      await row.locator('.pill', { hasText: /^reachable$/ }).waitFor({ timeout: 10_000 });
      await row.getByText(url, { exact: true }).waitFor();
      await row.getByRole('cell', { name: versions[name], exact: true }).waitFor();
    }
    assert.equal(await page.getByTestId('banner').count(), 0, 'no banner while every engine answers');
    await screenshot(page, 'engines-page');
    await page.getByRole('link', { name: 'Containers on e2' }).click();
    await page.waitForURL(/#\/containers\?engine=e2$/);
    assert.equal(await page.getByLabel('Filter by engine').inputValue(), 'e2');
    const rows = await rowsOf(page, shared);
    await onEngine(page, rows, 'e2').waitFor({ timeout: 10_000 });
    assert.equal(await rows.count(), 1);
    await page.close();
  });
});

describe('one engine lost among two, in headless Chromium', () => {
  test('its rows grey out with last seen and the banner names it with since when and why; the other engine stays live; back without reload', async (t) => {
    // "far" is e2 reached through a proxy we can switch off: e2 itself keeps running.
    const proxy = new EngineSocketProxy(e2.url.replace(/^unix:\/\//, ''));
    await proxy.up();
    t.after(() => proxy.down());
    const base = await appWith(`  - name: local\n    url: ${LOCAL_URL}\n  - name: far\n    url: ${proxy.dockerHost}\n    required: false\n`);
    const page = await loggedIn(base);
    const rows = await rowsOf(page, shared);
    const far = onEngine(page, rows, 'far');
    await far.waitFor({ timeout: 10_000 });
    assert.equal(await far.getAttribute('class'), null, 'live: not stale');

    await proxy.down();
    const banner = page.getByTestId('banner');
    await banner.getByTestId('banner-engine-far').getByText(/since .* \((just now|\d+ s ago)\): ENOENT/).waitFor({ timeout: 20_000 });
    await banner.getByText(/1 of 2 engines unreachable/).waitFor();
    await far.and(page.locator('tr.stale')).waitFor({ timeout: 20_000 });
    await far.getByTestId('stale').getByText(/^last seen /).waitFor();
    assert.match((await far.getByTestId('stale').getAttribute('title')) ?? '', /^Engine far unreachable; last seen \d{4}-/);
    assert.equal(await far.getByRole('button', { name: 'Stop' }).isDisabled(), true, 'no action on a last-seen state');
    await screenshot(page, 'engines-stale');

    // The other engine streams on: a container started there now shows up, live.
    const fresh = await onLocal.run({ stopSignalFast: true });
    await (await rowsOf(page, fresh.name)).locator('.pill', { hasText: /^running$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('banner').count(), 1, 'still naming far');

    await proxy.up();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    const back = onEngine(page, await rowsOf(page, shared), 'far');
    await back.and(page.locator('tr:not(.stale)')).waitFor({ timeout: 20_000 });
    await page.close();
  });
});
