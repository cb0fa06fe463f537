import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';
import { nextEvent } from '../helpers/events.js';
import { EngineSocketProxy } from '../helpers/socket-proxy.js';
import { notice, WebhookReceiver } from '../helpers/webhook-receiver.js';
import type { Alert } from '../../src/alerts/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-engine-'));
const hook = new WebhookReceiver();
// Between the app and the first engine: cutting it is an outage for this app only.
const proxy = new EngineSocketProxy();
const FOR_MS = 1500;
let app: TestApp;
let closeApp: (() => Promise<void>) | undefined;

describe('alert kind: engine.unreachable', () => {
  before(async () => {
    await requireEngine();
    await hook.listen();
    await proxy.up();
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      `notifiers:
  hook: { type: webhook, url: "${hook.url}/hook", secret: s }
rules:
  - { name: engine, when: engine.unreachable, for: ${FOR_MS}ms, notify: [hook] }
  - { name: elsewhere, when: engine.unreachable, engines: [another], for: 1s, notify: [hook] }
`,
    );
    app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { DOCKER_HOST: proxy.dockerHost, ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1' });
  });
  after(async () => {
    await closeApp?.();
    await proxy.down();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the engine cut off fires after `for`; back, a resolved notice; only admins see it', async () => {
    assert.equal(app.containers.store.isSynced, true);
    const lost = nextEvent(app.containers.store, 'lost', () => true, 10_000, 'the store losing the engine');
    await proxy.down();
    await lost;
    const lostAt = Date.now();
    const [fired] = await hook.waitFor(notice('engine', 'firing'), 1, 20_000);
    const body = fired?.json as { engine: string; container: unknown; group: unknown; message: string; kind: string; time: string };
    assert.ok(Date.parse(body.time) - lostAt >= FOR_MS - 100, 'not before `for`');
    assert.equal(body.kind, 'engine.unreachable');
    assert.equal(body.engine, 'local');
    assert.equal(body.container, null);
    assert.equal(body.group, null);
    assert.match(body.message, /engine local is unreachable/);
    const firing = (await app.inject({ url: '/api/v1/alerts?state=firing' })).json<{ active: number; alerts: Alert[] }>();
    assert.deepEqual(firing.alerts.map((a) => a.rule), ['engine'], 'a rule scoped to another engine does not fire');
    const user = await app.inject({ url: '/api/v1/alerts', headers: { authorization: `Bearer ${await app.tokenFor('user', { groups: ['core'] })}` } });
    assert.deepEqual(user.json<{ active: number; alerts: Alert[] }>(), { active: 0, alerts: [] }, 'engine alerts are for admins');

    await proxy.up();
    const [resolved] = await hook.waitFor(notice('engine', 'resolved'), 1, 30_000);
    assert.match(String(resolved?.json?.['message']), /resolved: engine local answers again/);
    assert.equal(app.containers.store.isSynced, true);
    assert.equal(hook.received.filter(notice('engine', 'firing')).length, 1, 'fired once for the whole outage');
    assert.equal(hook.received.filter((r) => r.json?.['rule'] === 'elsewhere').length, 0);
  });
});
