import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { until } from '../helpers/events.js';
import { privateGroups } from '../helpers/private-groups.js';
import { notice, WebhookReceiver } from '../helpers/webhook-receiver.js';
import type { Alert } from '../../src/alerts/schemas.js';

const fixture = new Fixture();
const run = fixture.runId;
const groups = privateGroups(run, ['oom']);
const group = groups.group('oom');
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-oom-'));
const hook = new WebhookReceiver();
let app: TestApp;
let closeApp: (() => Promise<void>) | undefined;

describe('alert kind: container.oom', () => {
  before(async () => {
    await requireEngine();
    await hook.listen();
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      `notifiers:
  hook: { type: webhook, url: "${hook.url}/hook", secret: s }
rules:
  - { name: oom, when: container.oom, groups: [${group}], notify: [hook] }
`,
    );
    app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { ...groups.env, ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1' });
  });
  after(async () => {
    await closeApp?.();
    await fixture.cleanup();
    await hook.close();
    groups.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a container killed for memory: one alert with the container, as the engine says (State.OOMKilled)', async () => {
    // tail buffers its one endless line until the 16 MiB limit (no swap) kills it.
    const c = await fixture.run({ labels: { 'gdm.group': group }, extraArgs: ['--memory', '16m', '--memory-swap', '16m'], command: ['tail', '/dev/zero'] });
    const [fired] = await hook.waitFor(notice('oom', 'firing'), 1, 30_000);
    const state = JSON.parse(await docker('inspect', '--format', '{{json .State}}', c.name)) as { OOMKilled: boolean; Running: boolean; ExitCode: number };
    assert.equal(state.OOMKilled, true, 'the engine says it was OOM-killed');
    assert.equal(state.Running, false);
    const body = fired?.json as { container: { id: string; name: string; engine: string }; group: string; message: string; kind: string };
    assert.deepEqual(body.container, { name: c.name, engine: 'local', id: c.id });
    assert.equal(body.group, group);
    assert.equal(body.kind, 'container.oom');
    assert.match(body.message, new RegExp(`${c.name} was killed: out of memory`));

    // Both the oom and the die change have been applied: still one alert, one notice.
    await until(app.containers.store, 'change', () => app.containers.store.record(c.id)?.state === 'exited', 20_000, 'the store to see the container exit');
    const rows = (await app.inject({ url: '/api/v1/alerts?rule=oom' })).json<{ alerts: Alert[] }>().alerts;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.state, 'firing');
    assert.equal(rows[0]?.container?.id, c.id);
    assert.equal(app.containers.store.record(c.id)?.oomKilled, true);
    assert.match((await app.inject({ url: '/metrics' })).body, /gdm_alerts_fired_total\{rule="oom"\} 1\b/);
    assert.equal(hook.received.filter(notice('oom', 'firing')).length, 1);
  });
});
