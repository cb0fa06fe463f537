import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { Fixture, requireEngine } from '../helpers/docker-cli.js';
import { privateGroups } from '../helpers/private-groups.js';
import { notice, WebhookReceiver } from '../helpers/webhook-receiver.js';

const fixture = new Fixture();
const run = fixture.runId;
const groups = privateGroups(run, ['bell']);
const group = groups.group('bell');
const dir = mkdtempSync(join(tmpdir(), 'gdm-e2e-alerts-'));
const hook = new WebhookReceiver();
const ADMIN_PASSWORD = 'e2e-admin-password-1';
const USER_PASSWORD = 'e2e-bell-user-password';
let app: App;
let base = '';
let browser: Browser;

before(async () => {
  await requireEngine();
  await hook.listen();
  const rules = join(dir, 'rules.yaml');
  writeFileSync(
    rules,
    `notifiers:
  hook: { type: webhook, url: "${hook.url}/hook", secret: s }
rules:
  - { name: bell-died, when: container.died, groups: [${group}], containers: ["gdm-t-bell-${run}-*"], notify: [hook] }
`,
  );
  const config = loadConfig({
    ...groups.env,
    DATA_DIR: join(dir, 'data'),
    ADMIN_PASSWORD,
    RATE_LIMIT_PER_MINUTE: '100000',
    ALERT_RULES_FILE: rules,
    ALERT_WEBHOOK_ALLOW: '127.0.0.1',
  });
  app = await buildApp({ config, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await app.access.users.create({ username: 'bell-viewer', password: USER_PASSWORD, role: 'user', groups: [group] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.close();
  await fixture.cleanup();
  await hook.close();
  groups.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function loggedIn(username: string, password: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  await page.goto(base);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('whoami').waitFor();
  return page;
}

/** A container of the rule's scope that exits 3 at once. */
const dies = (i: number) => fixture.run({ name: `gdm-t-bell-${run}-${i}`, labels: { 'gdm.group': group }, command: ['sh', '-c', 'exit 3'] });

describe('the alerts bell in headless Chromium', () => {
  test('a firing alert shows in the bell and as a toast; an admin silences its rule from the panel; a user sees no silence', async () => {
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Alerts: 0 firing' }).waitFor();

    const first = await dies(1);
    const bell = page.getByRole('button', { name: 'Alerts: 1 firing' });
    await bell.waitFor({ timeout: 20_000 });
    assert.equal(await bell.locator('.badge').innerText(), '1');
    const toast = page.getByTestId('alert-toast');
    await toast.getByText(`${first.name} exited with code 3`).waitFor();
    assert.match(await toast.innerText(), /^bell-died: /);
    // The bell is drawn (no emoji font needed); the toast's dismiss button is visible on the red toast.
    assert.equal(await bell.getByTestId('bell-icon').count(), 1);
    const dismiss = toast.getByRole('button', { name: 'Dismiss' });
    const [color, background] = await dismiss.evaluate((el) => {
      const s = (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el);
      return [s['color'], s['backgroundColor']];
    });
    assert.equal(color, 'rgb(255, 255, 255)');
    assert.equal(background, 'rgba(0, 0, 0, 0)', 'white × on the toast itself, not on a white button');
    await screenshot(page, 'alerts-toast');
    await hook.waitFor(notice('bell-died', 'firing'));

    await bell.click();
    const panel = page.getByRole('dialog', { name: 'Alerts' });
    await panel.getByRole('heading', { name: 'Firing (1)' }).waitFor();
    // In the firing list and in the history.
    assert.equal(await panel.locator('li.firing', { hasText: first.name }).count(), 2);
    const rule = panel.getByRole('region', { name: 'Alert rules' }).locator('li', { hasText: 'bell-died' });
    await rule.getByRole('button', { name: 'Silence 1h' }).click();
    await rule.getByRole('button', { name: /^Unsilence \(until .+\)$/ }).waitFor();
    const silenced = app.alerts.center.silencedUntil('bell-died');
    assert.ok(silenced, 'the service holds the silence');
    const left = Date.parse(silenced) - Date.now();
    assert.ok(left > 59 * 60_000 && left <= 3_600_000, `silenced for an hour (${left} ms left)`);
    await screenshot(page, 'alerts-panel');

    // Silenced: a new alert still shows (bell, panel), and no notice goes out for it.
    await dies(2);
    await page.getByRole('button', { name: 'Alerts: 2 firing' }).waitFor({ timeout: 20_000 });
    await panel.getByRole('heading', { name: 'Firing (2)' }).waitFor();
    assert.equal(hook.received.filter(notice('bell-died', 'firing')).length, 1);

    const viewer = await loggedIn('bell-viewer', USER_PASSWORD);
    await viewer.getByRole('button', { name: 'Alerts: 2 firing' }).click();
    await viewer.getByRole('dialog', { name: 'Alerts' }).getByRole('heading', { name: 'Firing (2)' }).waitFor();
    assert.equal(await viewer.getByRole('region', { name: 'Alert rules' }).count(), 0, 'no rules (silence) for a user');
    assert.equal(await viewer.getByRole('button', { name: /Silence|Unsilence/ }).count(), 0);
    await viewer.close();

    await dismiss.click();
    await toast.waitFor({ state: 'detached' });
    await rule.getByRole('button', { name: /^Unsilence/ }).click();
    await rule.getByRole('button', { name: 'Silence 1h' }).waitFor();
    assert.equal(app.alerts.center.silencedUntil('bell-died'), null);
    await page.close();
  });
});
