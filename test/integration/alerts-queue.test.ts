import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { Fixture, requireEngine } from '../helpers/docker-cli.js';
import { nextEvent } from '../helpers/events.js';
import { privateGroups } from '../helpers/private-groups.js';
import { notice, WebhookReceiver, type Received } from '../helpers/webhook-receiver.js';
import type { DeliveryReport } from '../../src/alerts/notifier-worker.js';
import type { Alert } from '../../src/alerts/schemas.js';

const fixture = new Fixture();
const run = fixture.runId;
const groups = privateGroups(run, ['queue']);
const group = groups.group('queue');
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-queue-'));
const slow = new WebhookReceiver();
const fast = new WebhookReceiver();
const QUEUE = 2;
let app: TestApp;
let closeApp: (() => Promise<void>) | undefined;

const nameOf = (r: Received) => (r.json?.['container'] as { name?: string } | null)?.name;

/** A container that exits 3 at once, and the moment its alert fired (waited for, in this order). */
async function dies(i: number): Promise<string> {
  const name = `gdm-t-q-${run}-${i}`;
  const fired = nextEvent<[Alert]>(app.alerts.center, 'alert', (a) => a.container?.name === name && a.state === 'firing', 20_000, `the alert of ${name}`);
  await fixture.run({ name, labels: { 'gdm.group': group }, command: ['sh', '-c', 'exit 3'] });
  await fired;
  return name;
}

after(async () => {
  await fixture.cleanup();
  groups.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('the notifier queue', () => {
  before(async () => {
    await requireEngine();
    await slow.listen();
    await fast.listen();
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      `notifiers:
  slow: { type: webhook, url: "${slow.url}/slow", secret: s }
  fast: { type: webhook, url: "${fast.url}/fast", secret: f }
rules:
  - { name: died, when: container.died, groups: [${group}], containers: ["gdm-t-q-${run}-*"], notify: [slow, fast] }
`,
    );
    app = await buildTestApp(
      { after: (fn: () => Promise<void>) => (closeApp = fn) },
      { ...groups.env, ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1', ALERT_QUEUE_SIZE: String(QUEUE), ALERT_NOTIFY_TIMEOUT_MS: '60000', ALERT_NOTIFY_RETRIES: '0' },
    );
  });
  after(async () => {
    await closeApp?.();
    await slow.close();
    await fast.close();
  });

  test('a receiver that holds requests: past ALERT_QUEUE_SIZE the oldest queued notices are dropped and counted; the other notifier gets every one', async () => {
    slow.answer = 'hold';
    const dropped: DeliveryReport[] = [];
    const onDelivery = (r: DeliveryReport) => void (r.outcome === 'dropped' && dropped.push(r));
    app.alerts.center.on('delivery', onDelivery);
    try {
      const first = await dies(1);
      // The first notice is on the wire (held), out of the queue; the next ones queue behind it.
      await slow.waitFor((r) => nameOf(r) === first);
      const names = [first];
      for (let i = 2; i <= 5; i++) names.push(await dies(i));

      const got = await fast.waitFor(notice('died', 'firing'), 5);
      assert.deepEqual(got.map(nameOf), names, 'the other notifier delivered all five, in order, while the first was held');
      assert.equal(slow.received.length, 1, 'the held notifier is still on its first notice');
      assert.equal(dropped.length, 5 - 1 - QUEUE, 'five notices, one on the wire, a queue of two');
      assert.deepEqual(dropped.map((r) => [r.notifier, r.rule, r.state, r.attempts]), [['slow', 'died', 'firing', 0], ['slow', 'died', 'firing', 0]]);
      assert.deepEqual(dropped.map((r) => r.container), [names[1], names[2]], 'the oldest queued ones were dropped');
      const metrics = (await app.inject({ url: '/metrics' })).body;
      assert.match(metrics, /gdm_alert_notifications_total\{rule="died",notifier="slow",outcome="dropped"\} 2\b/);
      assert.match(metrics, /gdm_alert_notifications_total\{rule="died",notifier="fast",outcome="sent"\} 5\b/);
      assert.doesNotMatch(metrics, /notifier="fast",outcome="dropped"/);

      const sent = nextEvent<[DeliveryReport]>(app.alerts.center, 'delivery', (r) => r.notifier === 'slow' && r.outcome === 'sent' && r.container === names[4], 20_000, 'the last queued notice');
      slow.release(204);
      await sent;
      assert.deepEqual(slow.received.map(nameOf), [names[0], names[3], names[4]], 'the held one, then the two newest');
    } finally {
      app.alerts.center.off('delivery', onDelivery);
    }
  });
});

describe('closing the service with a notice on the wire', () => {
  const stuck = new WebhookReceiver();
  before(async () => {
    await requireEngine();
    await stuck.listen();
  });
  after(async () => {
    await stuck.close();
  });

  test('the held request is abandoned at once, not left open until ALERT_NOTIFY_TIMEOUT_MS', async (t) => {
    const file = join(dir, 'closing.yaml');
    writeFileSync(
      file,
      `notifiers:
  stuck: { type: webhook, url: "${stuck.url}/stuck", secret: s }
rules:
  - { name: closing, when: container.died, groups: [${group}], containers: ["gdm-t-qc-${run}-*"], notify: [stuck] }
`,
    );
    const closing = await buildTestApp(t, { ...groups.env, ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1', ALERT_NOTIFY_TIMEOUT_MS: '120000' });
    stuck.answer = 'hold';
    await fixture.run({ name: `gdm-t-qc-${run}-1`, labels: { 'gdm.group': group }, command: ['sh', '-c', 'exit 3'] });
    const [held] = await stuck.waitFor(notice('closing', 'firing'));
    const gone = nextEvent<[Received]>(stuck, 'gone', (r) => r === held, 5_000, 'the sender to abandon the held request');
    await closing.close();
    await gone;
  });
});
