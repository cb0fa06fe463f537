import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { Fixture, requireEngine } from '../helpers/docker-cli.js';
import { TestRepository, testRegistry } from '../helpers/test-registry.js';
import { notice, WebhookReceiver } from '../helpers/webhook-receiver.js';

/** Two containers on the same tag; the rule's scope names one of them. */
const fixture = new Fixture();
const name = `gdm-t-updal-${fixture.runId}`;
const outside = `gdm-t-updal-${fixture.runId}-other`;
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-updates-alert-'));
const hook = new WebhookReceiver();
let repo: TestRepository;
let app: TestApp;
let closeApp: (() => Promise<void>) | undefined;

describe('alert kind update.available', () => {
  before(async () => {
    await requireEngine();
    await hook.listen();
    repo = new TestRepository(await testRegistry(), fixture.runId);
    await repo.publish('v1', ['latest']);
    await fixture.run({ name, image: `${repo.repo}:latest`, stopSignalFast: true });
    await fixture.run({ name: outside, image: `${repo.repo}:latest`, stopSignalFast: true });
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, `notifiers:\n  hook: { type: webhook, url: "${hook.url}/hook", secret: s }\nrules:\n  - { name: outdated, when: update.available, containers: ["${name}"], notify: [hook] }\n`);
    app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { REGISTRY_INSECURE: repo.address, ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1' });
  });
  after(async () => {
    await closeApp?.();
    await fixture.cleanup();
    await hook.close();
    await repo?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a check that finds a newer image fires for the container in scope; a check that finds it current again resolves it', async () => {
    const check = async () => assert.equal((await app.inject({ method: 'POST', url: '/api/v1/updates/check' })).statusCode, 200);
    await check();
    await repo.publish('v2', ['latest']);
    await check();
    const [fired] = await hook.waitFor(notice('outdated', 'firing'));
    assert.equal(fired?.json?.['kind'], 'update.available');
    assert.deepEqual(fired?.json?.['container'] && (fired.json['container'] as { name: string; engine: string }).name, name);
    assert.equal(fired?.json?.['engine'], 'local');
    const details = fired?.json?.['details'] as { image: string; currentDigest: string; latestDigest: string };
    assert.deepEqual([details.image, details.currentDigest, details.latestDigest], [`${repo.repo}:latest`, await repo.digest('v1'), await repo.digest('v2')]);
    // Another check while it holds is not news.
    await check();
    // The tag points at v1 again (in the registry alone): the container is current.
    await repo.retag('v1', 'latest');
    await check();
    const [resolved] = await hook.waitFor(notice('outdated', 'resolved'));
    assert.match(String(resolved?.json?.['message']), new RegExp(`runs the current image`));
    const all = hook.received.filter((r) => r.json?.['rule'] === 'outdated');
    assert.deepEqual(all.map((r) => [r.json?.['state'], (r.json?.['container'] as { name: string }).name]), [['firing', name], ['resolved', name]], 'one firing, one recovery, none for the container out of scope');
    const stored = (await app.inject({ url: '/api/v1/alerts?rule=outdated' })).json<{ alerts: { state: string; kind: string }[] }>();
    assert.deepEqual(stored.alerts.map((a) => [a.kind, a.state]), [['update.available', 'resolved']]);
  });
});
