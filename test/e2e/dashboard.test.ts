import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { parseGroups } from '../../src/groups/load.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { docker, Fixture, inspectState, requireEngine } from '../helpers/docker-cli.js';
import { EngineSocketProxy } from '../helpers/socket-proxy.js';

const fixture = new Fixture();
const ADMIN_PASSWORD = 'e2e-admin-password-1';
const USER_PASSWORD = 'e2e-user-password-12';
const tier = `e2e-${fixture.runId}`;
let app: App;
let base = '';
let browser: Browser;

before(async () => {
  await requireEngine();
  const groups = parseGroups({
    groups: {
      foundation: { description: 'Databases' },
      core: { description: 'Core', dependsOn: ['foundation'] },
      [tier]: { description: 'A tier the test starts', members: [{ pattern: `gdm-t-tier-${fixture.runId}-*` }] },
    },
  });
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gdm-e2e-')),
    ADMIN_PASSWORD,
    RATE_LIMIT_PER_MINUTE: '100000',
    ADMIN_SERVICES: `foundation,core,${tier}`,
  });
  app = await buildApp({ config, logger: false, groups });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await app.access.users.create({ username: 'viewer', password: USER_PASSWORD, role: 'user', groups: null });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.close();
  await fixture.cleanup();
});

async function loggedIn(username: string, password: string, setup?: (page: Page) => Promise<void>, url = base): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  await setup?.(page);
  await page.goto(url);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('whoami').waitFor();
  return page;
}

/**
 * The table renders only the rows in view (the engine is shared: other containers may push
 * ours out of view), so a test searches for its container by name first.
 */
async function showRow(page: Page, name: string): Promise<Locator> {
  await page.getByLabel('Search containers').fill(name);
  return page.getByTestId(`row-${name}`);
}

/** Every CSP violation the page reports, both as the DOM event and as Chromium's console error. */
async function watchCsp(page: Page, violations: string[]): Promise<void> {
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  await page.exposeFunction('__gdmCspViolation', (v: string) => violations.push(`event: ${v}`));
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => window.__gdmCspViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));",
  });
}

interface Look {
  color: string;
  background: string;
  weight: string;
  fontStyle: string;
  decoration: string;
  opacity: string;
}

/** The computed look of one element, as the browser renders it. */
async function look(locator: Locator): Promise<Look> {
  return locator.evaluate((el) => {
    const s = (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el);
    return { color: s['color'] ?? '', background: s['backgroundColor'] ?? '', weight: s['fontWeight'] ?? '', fontStyle: s['fontStyle'] ?? '', decoration: s['textDecorationLine'] ?? '', opacity: s['opacity'] ?? '' };
  });
}

describe('the dashboard in headless Chromium, against the real service and engine', () => {
  test('log in; a container started by the test appears without reload; stop it from the UI', async () => {
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    assert.match(await page.getByTestId('whoami').innerText(), /admin \(admin\)/);
    const cookies = await page.context().cookies();
    assert.ok(cookies.some((c) => c.name === 'gdm_session' && c.httpOnly && c.sameSite === 'Strict'), 'session in an httpOnly, SameSite=Strict cookie');
    assert.equal(await page.evaluate(() => JSON.stringify((globalThis as unknown as { localStorage: object }).localStorage).includes('ey')), false, 'no token in localStorage');

    const c = await fixture.run({ labels: { 'gdm.group': 'core' }, stopSignalFast: true });
    const row = await showRow(page, c.name);
    await row.waitFor({ timeout: 5000 });
    await row.locator('.pill', { hasText: /^running$/ }).waitFor();
    await screenshot(page, 'containers');

    await row.getByRole('button', { name: 'Stop' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Stop ${c.name}?`).waitFor();
    await dialog.getByRole('button', { name: 'Stop' }).click();
    await row.locator('.pill', { hasText: /^exited$/ }).waitFor({ timeout: 10_000 });
    assert.equal((await inspectState(c.name)).Running, false, 'the engine says it stopped');
    await page.close();
  });

  test('follow logs: a new line arrives; markup in logs is shown as text and runs nothing', async () => {
    const c = await fixture.run({
      labels: { 'gdm.group': 'core' },
      command: ['sh', '-c', `echo '<script>window.__pwned=1</script>'; echo '<img src=x onerror="window.__pwned=2">'; printf '\\033[31mred alert\\033[0m\\n' >&2; while true; do if [ -f /tmp/go ]; then rm /tmp/go; echo "fresh line $(date +%s)"; fi; sleep 0.2; done`],
    });
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    await page.goto(`${base}/#/containers/${c.name}`);
    const box = page.getByTestId('log-box');
    await box.getByText('<script>window.__pwned=1</script>').waitFor({ timeout: 10_000 });
    await box.getByText('<img src=x onerror="window.__pwned=2">').waitFor();
    assert.equal(await box.locator('img').count(), 0, 'no element made from log text');
    assert.equal(await box.locator('script').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined, 'nothing ran');
    const red = box.locator('.ansi-red', { hasText: 'red alert' });
    await red.waitFor();
    assert.equal(await red.locator('xpath=ancestor::div[1]').getAttribute('data-stream'), 'stderr', 'stderr is told apart');

    await docker('exec', c.name, 'touch', '/tmp/go');
    await box.getByText(/fresh line \d+/).waitFor({ timeout: 10_000 });
    await page.getByTestId('charts').waitFor({ timeout: 10_000 });
    await screenshot(page, 'container-page');
    await page.getByLabel('Search logs').fill('fresh');
    await box.locator('mark', { hasText: 'fresh' }).first().waitFor();
    await page.close();
  });

  test('log colours: basic, bright, background, 256-colour and truecolour, attributes and resets, with no CSP violation', async () => {
    const lines = [
      'basic \\033[31mfg-red\\033[0m \\033[91mfg-bright-red\\033[0m \\033[41mbg-red\\033[0m plain-1',
      'extended \\033[38;5;208mfg-208\\033[0m \\033[48;5;21mbg-21\\033[0m \\033[38;2;10;200;30mfg-rgb\\033[39m after-39',
      'attrs \\033[1;3;4mdecorated\\033[22;23;24m undecorated \\033[7minverse\\033[27m \\033[2mdimmed\\033[0m',
      'mixed \\033[91;48;5;21mbright-on-21\\033[49m bright-after-49\\033[0m \\033[38;5;1mtable-1\\033[0m \\033[7;38;2;10;200;30minverse-rgb\\033[0m',
      '\\033[32mjoined\\033[33mwithout-gap\\033[0m',
    ];
    const c = await fixture.run({ labels: { 'gdm.group': 'core' }, command: ['sh', '-c', `${lines.map((l) => `printf '${l}\\n'`).join('; ')}; exec sleep 3600`] });
    const violations: string[] = [];
    const page = await loggedIn('admin', ADMIN_PASSWORD, (p) => watchCsp(p, violations));
    await page.goto(`${base}/#/containers/${c.name}`);
    const box = page.getByTestId('log-box');
    const span = (text: string) => box.getByText(text, { exact: true });
    await span('inverse-rgb').waitFor({ timeout: 10_000 });

    // The log box's own colours (--log-fg, --log-bg) and the theme's red / bright red.
    const fg = 'rgb(215, 220, 229)';
    const bg = 'rgb(15, 20, 32)';
    const none = 'rgba(0, 0, 0, 0)';
    const red = 'rgb(255, 107, 107)';
    const brightRed = 'rgb(255, 168, 168)';
    const expected: Record<string, Partial<Look>> = {
      'fg-red': { color: red, background: none },
      'fg-bright-red': { color: brightRed, background: none },
      'bg-red': { color: fg, background: red },
      'plain-1': { color: fg, background: none },
      'fg-208': { color: 'rgb(255, 135, 0)', background: none },
      'bg-21': { color: fg, background: 'rgb(0, 0, 255)' },
      'fg-rgb': { color: 'rgb(10, 200, 30)', background: none },
      'after-39': { color: fg, background: none },
      decorated: { weight: '700', fontStyle: 'italic', decoration: 'underline' },
      undecorated: { color: fg, weight: '400', fontStyle: 'normal', decoration: 'none' },
      inverse: { color: bg, background: fg },
      dimmed: { color: fg, opacity: '0.6' },
      'bright-on-21': { color: brightRed, background: 'rgb(0, 0, 255)' },
      'bright-after-49': { color: brightRed, background: none },
      'table-1': { color: red, background: none },
      'inverse-rgb': { color: bg, background: 'rgb(10, 200, 30)' },
    };
    const seen: Record<string, Partial<Look>> = {};
    for (const [text, want] of Object.entries(expected)) {
      const got = await look(span(text));
      seen[text] = Object.fromEntries(Object.keys(want).map((key) => [key, got[key as keyof Look]]));
    }
    assert.deepEqual(seen, expected, 'the computed look of each span');
    const [left, right] = [await span('joined').boundingBox(), await span('without-gap').boundingBox()];
    assert.ok(left && right && Math.abs(left.x + left.width - right.x) < 0.5, `runs of one word touch (${left?.x}+${left?.width} vs ${right?.x})`);
    await screenshot(page, 'log-colours');
    assert.deepEqual(violations, [], 'the colours are set without breaking the CSP');

    // Control: the CSP is in force and the watch sees a violation, so the empty list above means something.
    const refused = page.waitForEvent('console', { predicate: (m) => /Content Security Policy/i.test(m.text()) });
    await span('plain-1').evaluate((el) => (el as unknown as { setAttribute(n: string, v: string): void }).setAttribute('style', 'color: rgb(1, 2, 3)'));
    await refused;
    assert.equal((await look(span('plain-1'))).color, fg, 'an inline style attribute is refused');
    await page.close();
  });

  test('a user-role login sees no action buttons and no out-of-group containers', async () => {
    const inGroup = await fixture.run({ labels: { 'gdm.group': 'foundation' } });
    const outside = await fixture.run({ labels: { 'gdm.group': 'support' } });
    const page = await loggedIn('viewer', USER_PASSWORD);
    await (await showRow(page, inGroup.name)).waitFor();
    const hidden = await showRow(page, outside.name);
    await page.getByTestId('count').getByText(/^0 of \d+$/).waitFor();
    assert.equal(await hidden.count(), 0, 'out-of-group container hidden');
    await page.getByLabel('Search containers').fill('');
    assert.equal(await page.getByRole('button', { name: /^(Start|Stop|Restart)$/ }).count(), 0, 'no action buttons');
    assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0, 'no admin page');
    await page.goto(`${base}/#/groups`);
    await page.getByTestId('group-foundation').waitFor();
    assert.equal(await page.getByRole('button', { name: /Start with dependencies|Stop/ }).count(), 0, 'no group actions');
    await screenshot(page, 'user-view');
    await page.close();
  });

  test('a user disabled while the dashboard is open is sent to the login page (the stream ends, no reconnect loop)', async () => {
    const password = 'e2e-short-lived-user-1';
    const user = await app.access.users.create({ username: `leaver-${fixture.runId}`, password, role: 'user', groups: null });
    const page = await loggedIn(user.username, password);
    await page.getByTestId('whoami').waitFor();
    await app.access.users.update(user.id, { disabled: true });
    // The events stream ends with an UNAUTHORIZED error event; the session asks again who we are.
    await page.getByLabel('User name').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('whoami').count(), 0, 'logged out');
    await page.close();
  });

  test('start a group and watch its progress', async () => {
    const members = await Promise.all([1, 2].map((i) => fixture.run({ name: `gdm-t-tier-${fixture.runId}-${i}`, createOnly: true, stopSignalFast: true })));
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    await page.goto(`${base}/#/groups`);
    const card = page.getByTestId(`group-${tier}`);
    await card.getByText('stopped').waitFor();
    await card.getByRole('button', { name: 'Start with dependencies' }).click();
    const progress = page.getByTestId('progress');
    await progress.getByText(`${members[0]?.name}: started`).waitFor({ timeout: 20_000 });
    await progress.getByTestId('group-result').getByText(/start of .* done/).waitFor({ timeout: 20_000 });
    for (const m of members) assert.equal((await inspectState(m.name)).Running, true, `${m.name} runs`);
    await card.getByText('running').first().waitFor();
    await screenshot(page, 'groups');
    await page.close();
  });

  test('engine lost: a clear banner; back: the banner goes and the list updates, without reload', async (t) => {
    const proxy = new EngineSocketProxy();
    await proxy.up();
    t.after(() => proxy.down());
    const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'gdm-e2e-outage-')), ADMIN_PASSWORD, DOCKER_HOST: proxy.dockerHost, RATE_LIMIT_PER_MINUTE: '100000' });
    const outageApp = await buildApp({ config, logger: false });
    t.after(() => outageApp.close());
    await outageApp.listen({ port: 0, host: '127.0.0.1' });
    const address = outageApp.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const openPage = async () => {
      const page = await loggedIn('admin', ADMIN_PASSWORD, undefined, url);
      await page.getByTestId('count').waitFor();
      return page;
    };
    const page = await openPage();
    // The stream's snapshot arrived: the outage below ends a live stream.
    await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
    await proxy.down();
    await page.getByTestId('banner').getByText(/Docker engine is unreachable/).waitFor({ timeout: 15_000 });
    await screenshot(page, 'engine-banner');
    await proxy.up();
    await page.getByTestId('banner').waitFor({ state: 'detached', timeout: 20_000 });
    const c = await fixture.run();
    await (await showRow(page, c.name)).waitFor({ timeout: 10_000 });
    await page.close();

    // Gone before the page opens: the stream is refused at once, and the banner still names
    // the engine (the service answers), not a lost connection.
    await proxy.down();
    const late = await openPage();
    await late.getByTestId('banner').getByText(/Docker engine is unreachable/).waitFor({ timeout: 15_000 });
    assert.equal(await late.getByText(/Connection to the service lost/).count(), 0, 'the service answered');
    await proxy.up();
    await late.locator('[data-connection="live"]').waitFor({ timeout: 20_000 });
    await late.getByTestId('banner').waitFor({ state: 'detached', timeout: 20_000 });
    await late.close();
  });

  test('compose and admin pages render; the dark theme switches', async () => {
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    await page.goto(`${base}/#/compose`);
    await page.getByText(/^Tool: /).waitFor();
    await screenshot(page, 'compose');
    await page.goto(`${base}/#/admin`);
    await page.getByRole('cell', { name: 'viewer', exact: true }).first().waitFor();
    await page.getByRole('cell', { name: /POST \/api\/v1\/auth\/login/ }).first().waitFor();
    await screenshot(page, 'admin');
    await page.getByRole('button', { name: 'Toggle dark theme' }).click();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset['theme']), 'dark');
    await page.goto(`${base}/#/containers`);
    await page.getByTestId('count').waitFor();
    await screenshot(page, 'containers-dark');
    await page.close();
  });
});
