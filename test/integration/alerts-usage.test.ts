import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { docker, Fixture, inspectState, requireEngine } from '../helpers/docker-cli.js';
import { privateGroups } from '../helpers/private-groups.js';
import { notice, WebhookReceiver, type Received } from '../helpers/webhook-receiver.js';

const fixture = new Fixture();
const run = fixture.runId;
const groups = privateGroups(run, ['usage']);
const group = groups.group('usage');
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-usage-'));
const hook = new WebhookReceiver();
let app: TestApp;
let closeApp: (() => Promise<void>) | undefined;

const CPU_ABOVE = 5;
const MEM_ABOVE = 50;
const FOR_MS = 2000;

interface UsageBody {
  container: { name: string; id: string };
  group: string;
  message: string;
  details: { value: number; threshold: number; forSeconds: number; memoryUsage?: number; memoryLimit?: number };
}

const ofContainer = (name: string) => (r: Received) => (r.json?.['container'] as { name?: string } | null)?.name === name;

/** When the shared sampling first saw this container above the threshold (the same samples the rule reads). */
function firstAbove(id: string, value: (u: { cpuPercent: number | null; memory: { percent: number } }) => number | null, threshold: number): { at: () => number | undefined; stop: () => void } {
  let at: number | undefined;
  const stop = app.containers.stats.subscribe((usage) => {
    const u = usage.get(id);
    const v = u ? value(u) : null;
    if (v !== null && v > threshold) at ??= Date.now();
    else at = undefined;
  });
  return { at: () => at, stop };
}

describe('alert kinds: usage.cpu and usage.memory', () => {
  before(async () => {
    await requireEngine();
    await hook.listen();
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      `notifiers:
  hook: { type: webhook, url: "${hook.url}/hook", secret: s }
rules:
  - { name: hot, when: usage.cpu, groups: [${group}], containers: ["gdm-t-cpu-${run}-*"], above: ${CPU_ABOVE}, for: ${FOR_MS}ms, notify: [hook] }
  - { name: full, when: usage.memory, groups: [${group}], containers: ["gdm-t-mem-${run}-*"], above: ${MEM_ABOVE}, for: ${FOR_MS}ms, notify: [hook] }
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

  test('a busy loop fires once after `for`; killed, the next sample at or below resolves it (the container still runs)', async () => {
    // One core at most, so the loop takes no more than its share of the shared machine.
    const c = await fixture.run({
      name: `gdm-t-cpu-${run}-a`,
      labels: { 'gdm.group': group },
      extraArgs: ['--cpus', '1'],
      command: ['sh', '-c', '(while :; do :; done) & echo $! > /tmp/busy; sleep 3600 & wait'],
    });
    const above = firstAbove(c.id, (u) => u.cpuPercent, CPU_ABOVE);
    try {
      const [fired] = await hook.waitFor((r) => notice('hot', 'firing')(r) && ofContainer(c.name)(r), 1, 30_000);
      const body = fired?.json as unknown as UsageBody;
      const since = above.at();
      assert.ok(since !== undefined, 'the samples show it above the threshold');
      assert.ok(Date.parse(String(fired?.json?.['time'])) - since >= FOR_MS - 50, 'not before `for` of samples above the threshold');
      assert.equal(body.container.id, c.id);
      assert.equal(body.group, group);
      assert.equal(body.details.threshold, CPU_ABOVE);
      assert.equal(body.details.forSeconds, FOR_MS / 1000);
      assert.ok(body.details.value > CPU_ABOVE);
      assert.match(body.message, new RegExp(`${c.name} CPU at [\\d.]+% \\(above ${CPU_ABOVE}% for \\d+s\\)`));

      await docker('exec', c.name, 'sh', '-c', 'kill "$(cat /tmp/busy)"');
      const [resolved] = await hook.waitFor((r) => notice('hot', 'resolved')(r) && ofContainer(c.name)(r), 1, 30_000);
      assert.match(String(resolved?.json?.['message']), /resolved: .* CPU at [\d.]+%/);
      assert.equal((await inspectState(c.name)).Running, true, 'resolved by the load stopping, not the container');
      assert.equal(hook.received.filter((r) => notice('hot', 'firing')(r) && ofContainer(c.name)(r)).length, 1, 'fired once');
    } finally {
      above.stop();
    }
  });

  test('memory held above the threshold of the limit fires once after `for`; freed, it resolves', async () => {
    // tmpfs pages are charged to the container's memory cgroup until the file is removed.
    const c = await fixture.run({
      name: `gdm-t-mem-${run}-a`,
      labels: { 'gdm.group': group },
      extraArgs: ['--memory', '32m', '--memory-swap', '32m'],
      command: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; sleep 3600 & wait'],
    });
    const above = firstAbove(c.id, (u) => u.memory.percent, MEM_ABOVE);
    try {
      const [fired] = await hook.waitFor((r) => notice('full', 'firing')(r) && ofContainer(c.name)(r), 1, 30_000);
      const body = fired?.json as unknown as UsageBody;
      const since = above.at();
      assert.ok(since !== undefined, 'the samples show it above the threshold');
      assert.ok(Date.parse(String(fired?.json?.['time'])) - since >= FOR_MS - 50, 'not before `for` of samples above the threshold');
      assert.equal(body.details.memoryLimit, 32 * 1024 * 1024, 'the percentage is of the container limit');
      assert.ok((body.details.memoryUsage ?? 0) > 24 * 1024 * 1024 * 0.9);
      assert.ok(body.details.value > MEM_ABOVE);
      assert.match(body.message, new RegExp(`${c.name} memory at [\\d.]+% \\(above ${MEM_ABOVE}%`));

      await docker('exec', c.name, 'rm', '/dev/shm/fill');
      const [resolved] = await hook.waitFor((r) => notice('full', 'resolved')(r) && ofContainer(c.name)(r), 1, 30_000);
      assert.match(String(resolved?.json?.['message']), /resolved: .* memory at [\d.]+%/);
      assert.equal((await inspectState(c.name)).Running, true);
      assert.equal(hook.received.filter((r) => notice('full', 'firing')(r) && ofContainer(c.name)(r)).length, 1, 'fired once');
      const rows = (await app.inject({ url: '/api/v1/alerts?rule=full' })).json<{ alerts: { state: string }[] }>().alerts;
      assert.deepEqual(rows.map((a) => a.state), ['resolved']);
    } finally {
      above.stop();
    }
  });
});
