import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authFetch, listenTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { nextEvent } from '../helpers/events.js';
import { EngineSocketProxy } from '../helpers/socket-proxy.js';
import { SseClient } from '../helpers/sse-client.js';
import { feedOf, untilStore } from '../helpers/store-events.js';

interface LogEvent {
  stream: string;
  text: string;
}

interface StatsEvent {
  id: string;
  cpuPercent: number | null;
  memory: { usage: number };
  read: string;
}

const fixture = new Fixture();
before(requireEngine);
after(() => fixture.cleanup());

describe('logs follow', () => {
  test('receives lines written after it started, then ends when the container stops', async (t) => {
    const { base } = await listenTestApp(t);
    // Prints a numbered line whenever /tmp/go appears, so the test decides when lines come.
    const c = await fixture.run({
      command: ['sh', '-c', 'echo before; n=0; while true; do if [ -f /tmp/go ]; then rm /tmp/go; n=$((n+1)); echo "after $n"; echo "warn $n" >&2; fi; sleep 0.1; done'],
    });
    const logs = await SseClient.open(`${base}/api/v1/containers/${c.name}/logs?follow=true&tail=10`);
    t.after(() => logs.close());
    assert.equal(logs.status, 200);
    await logs.waitFor((e) => e.event === 'log' && (e.data as LogEvent).text === 'before');

    await docker('exec', c.name, 'touch', '/tmp/go');
    const out = await logs.waitFor((e) => e.event === 'log' && (e.data as LogEvent).text === 'after 1', 5000, 'a new stdout line');
    assert.equal((out.data as LogEvent).stream, 'stdout');
    const err = await logs.waitFor((e) => e.event === 'log' && (e.data as LogEvent).text === 'warn 1', 5000, 'a new stderr line');
    assert.equal((err.data as LogEvent).stream, 'stderr');

    await docker('stop', '-t', '0', c.name);
    const end = await logs.waitFor((e) => e.event === 'end', 10_000, 'end event');
    assert.equal((end.data as { reason: string }).reason, 'container stopped');
    assert.equal((end.data as { exitCode: number }).exitCode, 137);
    await logs.waitForEnd();
  });

  test('log text is data, never markup: it arrives exactly as written', async (t) => {
    const { base } = await listenTestApp(t);
    const c = await fixture.run({ command: ['sh', '-c', `printf '%s\\n' '<script>alert(1)</script>' 'line "two"'; sleep 3600`] });
    const logs = await SseClient.open(`${base}/api/v1/containers/${c.name}/logs?follow=true`);
    t.after(() => logs.close());
    const line = await logs.waitFor((e) => e.event === 'log' && (e.data as LogEvent).text.includes('script'));
    assert.equal((line.data as LogEvent).text, '<script>alert(1)</script>');
    await logs.waitFor((e) => e.event === 'log' && (e.data as LogEvent).text === 'line "two"');
  });

  test('an unknown container is a JSON 404, not a stream', async (t) => {
    const { base } = await listenTestApp(t);
    const res = await authFetch(`${base}/api/v1/containers/gdm-no-such/logs?follow=true`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'CONTAINER_NOT_FOUND');
  });
});

describe('stats streams', () => {
  test('a container stats stream ticks once per interval and ends when the container stops', async (t) => {
    const { base } = await listenTestApp(t, { STATS_INTERVAL_MS: '250' });
    const c = await fixture.run({ command: ['sh', '-c', 'while true; do :; done'] });
    const stats = await SseClient.open(`${base}/api/v1/containers/${c.name}/stats?stream=true`);
    t.after(() => stats.close());
    const started = Date.now();
    await stats.waitFor(() => stats.events.filter((e) => e.event === 'stats').length >= 4, 5000, 'four samples');
    const samples = stats.events.filter((e) => e.event === 'stats').map((e) => e.data as StatsEvent);
    assert.ok(Date.now() - started < 3000, 'samples come at the interval');
    assert.equal(new Set(samples.map((s) => s.read)).size, samples.length, 'each sample is new');
    const busy = samples.at(-1);
    assert.ok(busy && busy.cpuPercent !== null && busy.cpuPercent > 30, `a busy loop shows CPU (${busy?.cpuPercent})`);
    await docker('stop', '-t', '0', c.name);
    const end = await stats.waitFor((e) => e.event === 'end', 5000, 'end');
    assert.equal((end.data as { reason: string }).reason, 'container stopped');
  });

  test('/api/v1/stats gives every running container of a filter with totals, from one shared sample', async (t) => {
    const { app, base } = await listenTestApp(t);
    const made = await Promise.all([fixture.run({ labels: { 'gdm.set': 'a' } }), fixture.run({ labels: { 'gdm.set': 'a' } })]);
    // The store learns of each start from the engine's events: ask once it shows both running.
    await untilStore(app, (store) => made.every((c) => store.summary(c.id)?.state === 'running'), 10_000, 'both containers running in the store');
    const started = Date.now();
    const res = await authFetch(`${base}/api/v1/stats?label=gdm.set=a`);
    const first = Date.now() - started;
    assert.equal(res.status, 200);
    const body = (await res.json()) as { containers: StatsEvent[]; totals: { containers: number; memoryUsage: number } };
    assert.deepEqual(body.containers.map((c) => c.id).sort(), made.map((c) => c.id).sort());
    assert.equal(body.totals.containers, 2);
    assert.equal(body.totals.memoryUsage, body.containers.reduce((n, c) => n + c.memory.usage, 0));
    // Once sampling runs, a second ask is answered from memory.
    const again = Date.now();
    assert.equal((await authFetch(`${base}/api/v1/stats?label=gdm.set=a`)).status, 200);
    assert.ok(Date.now() - again <= Math.max(first, 200), `second ask from the shared sample (${Date.now() - again} ms vs ${first} ms)`);
  });
});

describe('stream limits and outages', () => {
  test('a client may hold a limited number of streams: the next one is 429', async (t) => {
    const { app, base } = await listenTestApp(t, { STREAMS_PER_CLIENT: '2' });
    const a = await SseClient.open(`${base}/api/v1/events`);
    const b = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => {
      a.close();
      b.close();
    });
    await a.waitFor((e) => e.event === 'ready');
    await b.waitFor((e) => e.event === 'ready');
    const third = await authFetch(`${base}/api/v1/events`);
    assert.equal(third.status, 429);
    assert.equal(((await third.json()) as { error: { code: string } }).error.code, 'TOO_MANY_STREAMS');
    // The service has closed a's stream once it stops listening to the change feed for it
    // (its slot is given back just before, in the same close).
    const freed = nextEvent(feedOf(app), 'removeListener', (name) => name === 'entry', 5000, "the service to close the first stream's feed listener");
    a.close();
    await freed;
    const fourth = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => fourth.close());
    assert.equal(fourth.status, 200, 'a closed stream frees its slot');
  });

  test('heartbeats keep a quiet stream alive', async (t) => {
    const { base } = await listenTestApp(t, { SSE_HEARTBEAT_MS: '1000' });
    const events = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'ready');
    await events.waitForComments('heartbeat', 2, 3000);
    assert.ok((events.body.match(/: heartbeat/g) ?? []).length >= 2, 'two heartbeats on the wire');
    assert.equal(events.ended, false, 'the stream stays open');
  });

  test('when the engine goes away, open streams get an error event and end', async (t) => {
    const proxy = new EngineSocketProxy();
    await proxy.up();
    t.after(() => proxy.down());
    const c = await fixture.run();
    const { base } = await listenTestApp(t, { DOCKER_HOST: proxy.dockerHost });
    const streams = await Promise.all([
      SseClient.open(`${base}/api/v1/events`),
      SseClient.open(`${base}/api/v1/containers/${c.name}/logs?follow=true`),
      SseClient.open(`${base}/api/v1/containers/${c.name}/stats?stream=true`),
    ]);
    t.after(() => streams.forEach((s) => s.close()));
    await streams[0]?.waitFor((e) => e.event === 'ready');
    await streams[2]?.waitFor((e) => e.event === 'stats');
    await proxy.down();
    for (const s of streams) {
      const err = await s.waitFor((e) => e.event === 'error', 5000, 'error event');
      assert.equal((err.data as { code: string }).code, 'DOCKER_UNAVAILABLE');
      await s.waitForEnd(5000);
    }
  });

  test('closing the app ends open streams with a shutdown event', async (t) => {
    const { app, base } = await listenTestApp(t);
    const events = await SseClient.open(`${base}/api/v1/events`);
    await events.waitFor((e) => e.event === 'ready');
    const closing = app.close();
    await events.waitFor((e) => e.event === 'shutdown', 5000, 'shutdown');
    await events.waitForEnd(5000);
    await closing;
  });
});
