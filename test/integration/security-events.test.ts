import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listenTestApp } from '../helpers/app.js';
import { docker, Fixture, inspectState, requireEngine } from '../helpers/docker-cli.js';
import { privateGroups } from '../helpers/private-groups.js';
import { SseClient } from '../helpers/sse-client.js';

/**
 * Audit issue 18 item 14: `docker restart` showed in /events as kill, kill, die, die, die,
 * never start or restart. /events must report the engine's own actions, in its order,
 * ending with the container running.
 */
const fixture = new Fixture();
const groups = privateGroups(fixture.runId, ['events']);
/** Actions the store reports (exec_*, attach and the like change nothing we show). */
const REPORTED = new Set(['create', 'start', 'restart', 'stop', 'die', 'kill', 'oom', 'pause', 'unpause', 'rename', 'update', 'destroy']);
let c: { id: string; name: string };

before(async () => {
  await requireEngine();
  c = await fixture.run({ labels: { 'gdm.group': groups.group('events') } });
});
after(async () => {
  await fixture.cleanup();
  groups.remove();
});

interface Change {
  id: string;
  action: string;
  container?: { state: string };
}

describe('/events after docker restart', () => {
  test('reports the engine\'s sequence (kill … die, stop, start, restart) and ends running', { timeout: 60_000 }, async (t) => {
    const { app, base } = await listenTestApp(t, groups.env);
    const admin = `Bearer ${await app.tokenFor('admin', { groups: [groups.group('events')] })}`;
    const events = await SseClient.open(`${base}/api/v1/events`, { authorization: admin });
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'ready');

    const since = (Date.now() / 1000).toFixed(3);
    // busybox sleep as PID 1 ignores SIGTERM: the engine kills it after the 1 s timeout.
    await docker('restart', '-t', '1', c.name);
    await events.waitFor((e) => e.event === 'container' && (e.data as Change).id === c.id && (e.data as Change).action === 'restart', 20_000, 'the restart event');
    const until = (Date.now() / 1000).toFixed(3);

    const ours = events.events.filter((e) => e.event === 'container' && (e.data as Change).id === c.id).map((e) => e.data as Change);
    const actions = ours.map((e) => e.action);
    const engineActions = (await docker('events', '--since', since, '--until', until, '--filter', `container=${c.id}`, '--format', '{{.Action}}'))
      .split('\n')
      .filter((a) => REPORTED.has(a));
    console.log(`docker restart: /events ${actions.join(', ')}; engine ${engineActions.join(', ')}`);
    assert.deepEqual(actions, engineActions, 'the engine\'s actions, in its order, each once');
    const lastDie = actions.lastIndexOf('die');
    assert.ok(lastDie >= 0, 'the die is reported');
    assert.ok(actions.slice(lastDie).includes('start') && actions.at(-1) === 'restart', 'start and restart follow the die');
    assert.equal(ours.at(-1)?.container?.state, 'running', 'the last event shows it running');
    assert.equal((await inspectState(c.name)).Running, true);
  });
});
