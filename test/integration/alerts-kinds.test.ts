import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { privateGroups } from '../helpers/private-groups.js';
import { notice, WebhookReceiver, type Received } from '../helpers/webhook-receiver.js';

const fixture = new Fixture();
const run = fixture.runId;
const groups = privateGroups(run, ['deg', 'watch']);
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-kinds-'));
const hook = new WebhookReceiver();
let closeApp: (() => Promise<void>) | undefined;

const ofContainer = (name: string) => (r: { json?: Record<string, unknown> }) => (r.json?.['container'] as { name?: string } | null)?.name === name;

describe('alert kinds: log.match, group.degraded, container.unhealthy', () => {
  before(async () => {
    await requireEngine();
    await hook.listen();
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      `notifiers:
  hook: { type: webhook, url: "${hook.url}/hook", secret: s }
rules:
  - { name: fatal, when: log.match, groups: [${groups.group('watch')}], pattern: "FATAL \\\\w+", notify: [hook] }
  - { name: degraded, when: group.degraded, groups: [${groups.group('deg')}], for: 1s, notify: [hook] }
  - { name: sick, when: container.unhealthy, groups: [${groups.group('watch')}], notify: [hook] }
`,
    );
    await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { ...groups.env, ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1' });
  });
  after(async () => {
    await closeApp?.();
    await fixture.cleanup();
    await hook.close();
    groups.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a log line matching the pattern fires once for its container (more matching lines do not repeat it)', async () => {
    const c = await fixture.run({ labels: { 'gdm.group': groups.group('watch') }, command: ['sh', '-c', 'while true; do echo "all fine"; echo "FATAL disk"; sleep 0.2; done'] });
    const [fired] = await hook.waitFor((r) => notice('fatal', 'firing')(r) && ofContainer(c.name)(r));
    assert.match(String((fired?.json?.['details'] as { line: string }).line), /FATAL disk/);
    // Later lines keep matching; a later alert through the same queue proves no second notice was sent. This
    // one writes its line at once, before a follower can be attached: read from the container's start.
    const other = await fixture.run({ labels: { 'gdm.group': groups.group('watch') }, command: ['sh', '-c', 'echo "FATAL other"; sleep 3600'] });
    await hook.waitFor((r) => notice('fatal', 'firing')(r) && ofContainer(other.name)(r));
    assert.equal(hook.received.filter((r) => notice('fatal', 'firing')(r) && ofContainer(c.name)(r)).length, 1);
  });

  test('a stopped member degrades a group meant to be up; started again, it recovers', async () => {
    const label = { 'gdm.group': groups.group('deg') };
    await fixture.run({ labels: label, stopSignalFast: true });
    const b = await fixture.run({ labels: label, stopSignalFast: true });
    await docker('stop', b.name);
    // On a loaded engine `docker run` of b can leave it `created` past the 1 s grace while a runs: that
    // is a degraded group too (and its own firing and resolved notices). Wait for the one about the stop.
    const exited = (r: Received) => notice('degraded', 'firing')(r) && String(r.json?.['message']).includes(`${b.name} exited`);
    const [fired] = await hook.waitFor(exited);
    assert.equal(fired?.json?.['group'], groups.group('deg'));
    // One worker, first in first out: every earlier notice has arrived before this one.
    const resolvedBefore = hook.received.filter(notice('degraded', 'resolved')).length;
    await docker('start', b.name);
    await hook.waitFor(notice('degraded', 'resolved'), resolvedBefore + 1);
  });

  test('an unhealthy container fires; healthy again, it recovers', async () => {
    const c = await fixture.run({ labels: { 'gdm.group': groups.group('watch') }, healthCmd: 'test -f /tmp/ok' });
    await hook.waitFor((r) => notice('sick', 'firing')(r) && ofContainer(c.name)(r));
    await docker('exec', c.name, 'touch', '/tmp/ok');
    await hook.waitFor((r) => notice('sick', 'resolved')(r) && ofContainer(c.name)(r));
  });
});
