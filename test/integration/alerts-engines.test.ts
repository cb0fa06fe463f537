import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { nextEvent } from '../helpers/events.js';
import { privateGroups } from '../helpers/private-groups.js';
import { EngineSocketProxy } from '../helpers/socket-proxy.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';
import { notice, WebhookReceiver, type Received } from '../helpers/webhook-receiver.js';
import type { ContainerChange } from '../../src/containers/container-store.js';
import type { EngineUnit } from '../../src/containers/feature.js';

/**
 * Alerts with two engines: `local` (the first engine) and e2, reached through a socket proxy
 * this test can cut (e2 itself keeps running: an outage of e2 for this app only).
 */
const local = new Fixture();
const run = local.runId;
const groups = privateGroups(run, ['span']);
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-engines-'));
const hook = new WebhookReceiver();
const prefix = `gdm-t-ae-${run}`;
let e2: TestEngine;
let onE2: Fixture;
let proxy: EngineSocketProxy;
let app: TestApp;
let unitE2: EngineUnit;
const cleanups: (() => void | Promise<void>)[] = [];

const ofContainer = (name: string) => (r: Received) => (r.json?.['container'] as { name?: string } | null)?.name === name;
const ofEngine = (engine: string) => (r: Received) => r.json?.['engine'] === engine;

describe('alerts over two engines', () => {
  before(async () => {
    await requireEngine();
    ({ e2 } = await requireTestEngines());
    onE2 = new Fixture(e2.cliEnv);
    proxy = new EngineSocketProxy(e2.url.replace(/^unix:\/\//, ''));
    await proxy.up();
    await hook.listen();
    const engines = writeEnginesFile((fn) => cleanups.push(fn), [{ ...e2, url: proxy.dockerHost }]);
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      `notifiers:
  hook: { type: webhook, url: "${hook.url}/hook", secret: s }
rules:
  - { name: engine, when: engine.unreachable, for: 1s, notify: [hook] }
  - { name: died-e2, when: container.died, engines: [e2], containers: ["${prefix}-*"], notify: [hook] }
  - { name: degraded, when: group.degraded, groups: [${groups.group('span')}], for: 1s, notify: [hook] }
`,
    );
    app = await buildTestApp({ after: (fn: () => Promise<void>) => cleanups.push(fn) }, { ...groups.env, ENGINES_FILE: engines, ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1' });
    unitE2 = app.containers.engines.find((u) => u.name === 'e2') as EngineUnit;
    if (!unitE2.store.isSynced) await nextEvent(unitE2.store, 'synced', () => true, 20_000, 'e2 in sync');
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await proxy?.down();
    await Promise.all([local.cleanup(), onE2?.cleanup()]);
    await hook.close();
    groups.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a container.died rule scoped to e2 fires for a container on e2, not for one on local', async () => {
    const [onLocal, onOther] = await Promise.all([
      local.run({ name: `${prefix}-local` }),
      onE2.run({ name: `${prefix}-e2` }),
    ]);
    // The local one dies first and the store has taken it in: a notice for it would be queued before e2's.
    const localDied = nextEvent<[ContainerChange]>(app.containers.store, 'change', (c) => c.action === 'die' && c.engine === 'local' && c.id === onLocal.id, 20_000, 'the local die');
    await docker('kill', onLocal.name);
    await localDied;
    await dockerOn(e2, 'kill', onOther.name);
    const [fired] = await hook.waitFor((r) => notice('died-e2', 'firing')(r) && ofContainer(onOther.name)(r));
    const body = fired?.json as { engine: string; container: { name: string; engine: string; id: string }; details: { exitCode: number } };
    assert.equal(body.engine, 'e2');
    assert.deepEqual(body.container, { name: onOther.name, engine: 'e2', id: onOther.id });
    assert.equal(body.details.exitCode, 137);
    assert.equal(hook.received.filter((r) => notice('died-e2', 'firing')(r) && ofContainer(onLocal.name)(r)).length, 0, 'nothing for the container on local');
  });

  test('group.degraded takes members on both engines and names the engine of the degraded one', async () => {
    const labels = { 'gdm.group': groups.group('span') };
    await local.run({ labels, stopSignalFast: true });
    const far = await onE2.run({ labels, stopSignalFast: true });
    await dockerOn(e2, 'stop', far.name);
    const [fired] = await hook.waitFor((r) => notice('degraded', 'firing')(r) && String(r.json?.['message']).includes(`e2:${far.name} exited`));
    const body = fired?.json as { engine: string; group: string; details: { members: number; engines: string[]; degraded: { name: string; engine: string }[] } };
    assert.equal(body.group, groups.group('span'));
    assert.equal(body.engine, 'e2');
    assert.equal(body.details.members, 2, 'one member on each engine');
    assert.deepEqual(body.details.engines, ['e2']);
    assert.deepEqual(body.details.degraded.map((d) => [d.engine, d.name]), [['e2', far.name]]);
    const resolvedBefore = hook.received.filter(notice('degraded', 'resolved')).length;
    await dockerOn(e2, 'start', far.name);
    await hook.waitFor(notice('degraded', 'resolved'), resolvedBefore + 1);
  });

  test('cutting e2 fires engine.unreachable once, for e2 only; back, a resolved notice', async () => {
    assert.equal(unitE2.store.isSynced, true);
    const lost = nextEvent(unitE2.store, 'lost', () => true, 10_000, "e2's store losing its engine");
    await proxy.down();
    await lost;
    const [fired] = await hook.waitFor(notice('engine', 'firing'), 1, 20_000);
    const body = fired?.json as { engine: string; container: unknown; message: string; kind: string };
    assert.equal(body.kind, 'engine.unreachable');
    assert.equal(body.engine, 'e2');
    assert.equal(body.container, null);
    assert.match(body.message, /engine e2 is unreachable/);
    assert.equal(app.containers.engines.find((u) => u.name === 'local')?.store.isSynced, true, 'local stays in sync');
    const firing = (await app.inject({ url: '/api/v1/alerts?state=firing&rule=engine' })).json<{ alerts: { engine: string }[] }>();
    assert.deepEqual(firing.alerts.map((a) => a.engine), ['e2']);

    const synced = nextEvent(unitE2.store, 'synced', () => true, 30_000, 'e2 in sync again');
    await proxy.up();
    await synced;
    const [resolved] = await hook.waitFor(notice('engine', 'resolved'), 1, 30_000);
    assert.equal(resolved?.json?.['engine'], 'e2');
    assert.match(String(resolved?.json?.['message']), /engine e2 answers again/);
    assert.equal(hook.received.filter(notice('engine', 'firing')).length, 1, 'fired once for the whole outage');
    assert.equal(hook.received.filter((r) => r.json?.['rule'] === 'engine' && ofEngine('local')(r)).length, 0, 'nothing about local');
  });
});
