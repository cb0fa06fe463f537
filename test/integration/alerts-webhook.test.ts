import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';
import { nextEvent, until } from '../helpers/events.js';
import { privateGroups } from '../helpers/private-groups.js';
import { notice, WebhookReceiver } from '../helpers/webhook-receiver.js';
import type { DeliveryReport } from '../../src/alerts/notifier-worker.js';
import type { Alert } from '../../src/alerts/schemas.js';

const fixture = new Fixture();
const run = fixture.runId;
const groups = privateGroups(run, ['alert']);
const group = groups.group('alert');
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-'));
const SECRET = 'the-webhook-secret-of-this-test';
const hook = new WebhookReceiver();
const failing = new WebhookReceiver();
let app: TestApp;
let closeApp: (() => Promise<void>) | undefined;

/** A container that exits 3 when stopped (sh traps TERM), in this test's private group. */
async function exits3(kind: string): Promise<{ id: string; name: string }> {
  return fixture.run({ name: `gdm-t-${kind}-${run}-${Math.random().toString(16).slice(2, 8)}`, labels: { 'gdm.group': group }, command: ['sh', '-c', "trap 'exit 3' TERM; sleep 3600 & wait"] });
}

function alertEvent(app: TestApp, match: (a: Alert) => boolean, what: string) {
  return nextEvent<[Alert]>(app.alerts.center, 'alert', match, 20_000, what);
}

function rulesFile(name: string, hookUrl: string, failingUrl: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `notifiers:
  hook: { type: webhook, url: "${hookUrl}/hook", secret: ${SECRET} }
  failing: { type: webhook, url: "${failingUrl}/fail", secret: other-secret }
rules:
  - { name: died, when: container.died, groups: [${group}], containers: ["gdm-t-died-${run}-*"], notify: [hook] }
  - { name: loop, when: container.restart_loop, groups: [${group}], containers: ["gdm-t-loop-${run}-*"], restarts: 3, within: 60s, notify: [hook] }
  - { name: quiet, when: container.died, groups: [${group}], containers: ["gdm-t-quiet-${run}-*"], notify: [hook] }
  - { name: broken, when: container.died, groups: [${group}], containers: ["gdm-t-broken-${run}-*"], notify: [failing] }
`,
  );
  return file;
}

function env(file: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...groups.env,
    ALERT_RULES_FILE: file,
    ALERT_WEBHOOK_ALLOW: '127.0.0.1',
    ALERT_NOTIFY_RETRIES: '2',
    ALERT_RETRY_BASE_MS: '20',
    ALERT_NOTIFY_TIMEOUT_MS: '15000',
    ...extra,
  };
}

after(async () => {
  await fixture.cleanup();
  groups.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts to a webhook', () => {
  before(async () => {
    await requireEngine();
    await hook.listen();
    await failing.listen();
    app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, env(rulesFile('rules.yaml', hook.url, failing.url)));
  });
  after(async () => {
    await closeApp?.();
    await hook.close();
    await failing.close();
  });

  test('a container that exits 3: one signed alert with container, group and exit code; started again: one recovery notice', async () => {
    const c = await exits3('died');
    await docker('stop', '-t', '10', c.name);
    const [fired] = await hook.waitFor(notice('died', 'firing'));
    assert.ok(fired?.json);
    const signature = createHmac('sha256', SECRET).update(fired.raw).digest('hex');
    assert.equal(fired.headers['x-gdm-signature'], `sha256=${signature}`);
    const body = fired.json as { container: { name: string; engine: string; id: string }; group: string; details: { exitCode: number }; message: string; time: string };
    assert.deepEqual(body.container, { name: c.name, engine: 'local', id: c.id });
    assert.equal(body.group, group);
    assert.equal(body.details.exitCode, 3);
    assert.match(body.message, /code 3/);
    assert.ok(!Number.isNaN(Date.parse(body.time)));

    await docker('start', c.name);
    await hook.waitFor(notice('died', 'resolved'));
    assert.equal(hook.received.filter(notice('died', 'firing')).length, 1);
    assert.equal(hook.received.filter(notice('died', 'resolved')).length, 1);
    const list = await app.inject({ url: '/api/v1/alerts?rule=died' });
    const alerts = list.json<{ alerts: Alert[] }>().alerts;
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.state, 'resolved');
  });

  test('a restart loop fires once, not once per restart', async () => {
    const name = `gdm-t-loop-${run}-a`;
    const c = await fixture.run({ name, labels: { 'gdm.group': group }, command: ['sh', '-c', 'exit 1'], createOnly: true });
    await docker('update', '--restart', 'on-failure:5', name);
    const fired = alertEvent(app, (a) => a.rule === 'loop' && a.state === 'firing', 'the loop alert');
    await docker('start', name);
    await fired;
    // The engine gives up after 5 restarts: wait until the store saw the last of them (6 starts in all).
    await until(app.containers.store, 'change', () => {
      const r = app.containers.store.record(c.id);
      return r?.state === 'exited' && r.restartCount === 5;
    }, 30_000, 'the end of the restart loop');
    await hook.waitFor(notice('loop', 'firing'));
    const rows = (await app.inject({ url: '/api/v1/alerts?rule=loop' })).json<{ alerts: Alert[] }>().alerts;
    assert.equal(rows.length, 1, 'one alert for the whole loop');
    assert.equal(hook.received.filter(notice('loop', 'firing')).length, 1);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /gdm_alerts_fired_total\{rule="loop"\} 1\b/);
  });

  test('a silenced rule records its alert but sends nothing', async () => {
    const silenced = await app.inject({ method: 'POST', url: '/api/v1/alerts/rules/quiet/silence', payload: { duration: '10m' } });
    assert.equal(silenced.statusCode, 200);
    assert.ok(silenced.json<{ silencedUntil: string }>().silencedUntil);
    const quiet = await exits3('quiet');
    const other = await exits3('died');
    const recorded = alertEvent(app, (a) => a.rule === 'quiet' && a.state === 'firing', 'the silenced alert');
    await docker('stop', '-t', '10', quiet.name);
    await recorded;
    // The same notifier's queue is first in, first out: once a later notice arrived, an earlier one would have.
    await docker('stop', '-t', '10', other.name);
    await hook.waitFor((r) => notice('died', 'firing')(r) && (r.json?.['container'] as { name: string }).name === other.name);
    assert.equal(hook.received.filter((r) => r.json?.['rule'] === 'quiet').length, 0);
    const user = await app.inject({ method: 'POST', url: '/api/v1/alerts/rules/quiet/silence', payload: { duration: '1m' }, headers: { authorization: `Bearer ${await app.tokenFor('developer')}` } });
    assert.equal(user.statusCode, 403);
    const ended = await app.inject({ method: 'DELETE', url: '/api/v1/alerts/rules/quiet/silence' });
    assert.equal(ended.json<{ silencedUntil: null }>().silencedUntil, null);
  });

  test('a receiver answering 500: retries, then gives up, without holding up another notifier', async () => {
    failing.answer = 'hold';
    const broken = await exits3('broken');
    const fine = await exits3('died');
    await docker('stop', '-t', '10', broken.name);
    await failing.waitFor((r) => r.json?.['rule'] === 'broken');
    // The failing notifier is stuck on its first attempt; the other one still delivers.
    await docker('stop', '-t', '10', fine.name);
    await hook.waitFor((r) => notice('died', 'firing')(r) && (r.json?.['container'] as { name: string }).name === fine.name);
    const gaveUp = nextEvent<[DeliveryReport]>(app.alerts.center, 'delivery', (r) => r.notifier === 'failing' && r.outcome === 'failed', 20_000, 'the failing notifier giving up');
    failing.release(500);
    const [report] = await gaveUp;
    assert.equal(report.attempts, 3, 'the first attempt and 2 retries');
    assert.equal(failing.received.filter((r) => r.json?.['rule'] === 'broken').length, 3);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /gdm_alert_notifications_total\{rule="broken",notifier="failing",outcome="failed"\} 1\b/);
    assert.match(metrics, /gdm_alert_notifications_total\{rule="died",notifier="hook",outcome="sent"\} \d+/);
  });

  test('alerts are visible only within the caller\'s groups', async () => {
    const own = await app.inject({ url: '/api/v1/alerts', headers: { authorization: `Bearer ${await app.tokenFor('user', { groups: [group] })}` } });
    assert.ok(own.json<{ alerts: Alert[] }>().alerts.length > 0);
    const other = await app.inject({ url: '/api/v1/alerts', headers: { authorization: `Bearer ${await app.tokenFor('user', { groups: ['nothing-here'] })}` } });
    assert.deepEqual(other.json<{ alerts: Alert[]; active: number }>(), { active: 0, alerts: [] });
  });
});

describe('alert state across a restart of the service', () => {
  const receiver = new WebhookReceiver();
  const dataDir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-data-'));
  before(async () => {
    await requireEngine();
    await receiver.listen();
  });
  after(async () => {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a firing alert is still firing after a restart (no second notice) and its recovery notice is sent by the new process', async (t) => {
    const file = rulesFile('restart.yaml', receiver.url, receiver.url);
    const first = await buildTestApp(t, env(file, { DATA_DIR: dataDir }));
    const c = await exits3('died');
    await docker('stop', '-t', '10', c.name);
    await receiver.waitFor(notice('died', 'firing'));
    await first.close();

    const second = await buildTestApp(t, env(file, { DATA_DIR: dataDir }));
    const active = (await second.inject({ url: '/api/v1/alerts?state=firing&rule=died' })).json<{ alerts: Alert[] }>().alerts;
    assert.equal(active.length, 1);
    assert.equal(active[0]?.container?.id, c.id);
    await docker('start', c.name);
    await receiver.waitFor(notice('died', 'resolved'));
    const state = await waitFor(async () => (await second.inject({ url: '/api/v1/alerts?rule=died' })).json<{ alerts: Alert[] }>().alerts, (a) => a[0]?.state === 'resolved');
    assert.equal(state.length, 1);
    assert.equal(receiver.received.filter(notice('died', 'firing')).length, 1);
  });
});
