import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authFetch, listenTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { until } from '../helpers/events.js';
import { SseClient } from '../helpers/sse-client.js';

interface Change {
  kind: string;
  action: string;
  id: string;
  name: string;
  container?: { state: string; health: string };
}

const fixture = new Fixture();
before(requireEngine);
after(() => fixture.cleanup());

async function stateVia(base: string, name: string): Promise<string | undefined> {
  const res = await authFetch(`${base}/api/v1/containers/${name}`);
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { state: string }).state;
}

describe('the store follows changes made outside the service', () => {
  test('docker stop / start / rm in a shell show in the API within 0.5 s and on /events', async (t) => {
    const { app, base } = await listenTestApp(t);
    const { store } = app.containers;
    const c = await fixture.run();
    const events = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => events.close());
    assert.equal(events.status, 200);
    assert.match(String(events.headers['content-type']), /text\/event-stream/);
    await events.waitFor((e) => e.event === 'ready');

    for (const [command, expected] of [
      ['stop', 'exited'],
      ['start', 'running'],
    ] as const) {
      await docker(command, '-t', '0', c.name).catch(() => docker(command, c.name));
      const done = Date.now();
      // The API answers from the store: the store's change is the moment it becomes visible.
      await until(store, 'change', () => store.summary(c.id)?.state === expected, 500, `docker ${command} to reach the store (${expected}) within 0.5 s`);
      assert.equal(await stateVia(base, c.name), expected, `${command} visible in the API (took ${Date.now() - done} ms)`);
      const event = await events.waitFor((e) => {
        const ch = e.data as Change;
        return e.event === 'container' && ch.id === c.id && ch.container?.state === expected;
      });
      assert.ok(event.id, 'events carry an id for Last-Event-ID');
    }

    await docker('rm', '-f', c.name);
    const removed = await events.waitFor((e) => e.event === 'container' && (e.data as Change).kind === 'removed' && (e.data as Change).id === c.id);
    assert.equal((removed.data as Change).name, c.name);
    assert.equal(await stateVia(base, c.name), undefined);
  });

  test('health changes arrive as events', async (t) => {
    const { base } = await listenTestApp(t);
    const events = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'ready');
    const c = await fixture.run({ healthCmd: 'true' });
    const healthy = await events.waitFor(
      (e) => e.event === 'container' && (e.data as Change).id === c.id && (e.data as Change).container?.health === 'healthy',
      15_000,
      'healthy event',
    );
    assert.equal((healthy.data as Change).action, 'health_status');
  });

  test('Last-Event-ID replays what a reconnecting client missed; snapshot=true starts with the list', async (t) => {
    const { base } = await listenTestApp(t);
    const first = await SseClient.open(`${base}/api/v1/events`);
    const ready = await first.waitFor((e) => e.event === 'ready');
    first.close();
    const c = await fixture.run();
    await docker('stop', '-t', '0', c.name);
    const again = await SseClient.open(`${base}/api/v1/events?snapshot=true`, { 'last-event-id': String(ready.id) });
    t.after(() => again.close());
    const replayed = await again.waitFor((e) => e.event === 'container' && (e.data as Change).id === c.id && (e.data as Change).container?.state === 'exited');
    assert.ok(Number(replayed.id) > Number(ready.id));
    const snapshot = await again.waitFor((e) => e.event === 'snapshot');
    const names = (snapshot.data as { containers: { name: string }[] }).containers.map((x) => x.name);
    assert.ok(names.includes(c.name));
  });

  test('the list served from memory matches docker ps -a after a burst of changes', async (t) => {
    const { app, base } = await listenTestApp(t);
    const { store } = app.containers;
    const made = await Promise.all(Array.from({ length: 6 }, () => fixture.run()));
    await Promise.all(made.slice(0, 3).map((c) => docker('stop', '-t', '0', c.name)));
    await docker('rm', '-f', made[5]?.name ?? '');
    // Every change of the burst has reached the store: 3 stopped, 2 running, 1 removed.
    const expected = ['exited', 'exited', 'exited', 'running', 'running', undefined];
    const settled = () => made.every((c, i) => store.summary(c.id)?.state === expected[i]);
    await until(store, 'change', settled, 5000, 'the burst (3 stops, 1 rm) to reach the store');
    const body = (await (await authFetch(`${base}/api/v1/containers`)).json()) as { containers: { id: string; state: string }[] };
    const cli = (await docker('ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.State}}')).split('\n').filter(Boolean);
    assert.deepEqual(body.containers.map((c) => `${c.id} ${c.state}`).sort(), cli.sort());
  });
});
