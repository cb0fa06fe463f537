import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authFetch, listenTestApp } from '../helpers/app.js';
import { Fixture, requireEngine } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { SseClient, type SseEvent } from '../helpers/sse-client.js';
import { dockerOn, requireTestEngines, startTestEngine, stopTestEngine, type TestEngine } from '../helpers/test-engines.js';

let e2: TestEngine;
let e3: TestEngine;
let onE2: Fixture;
let onE3: Fixture;
before(async () => {
  await requireEngine();
  ({ e2, e3 } = await requireTestEngines());
  onE2 = new Fixture(e2.cliEnv);
  onE3 = new Fixture(e3.cliEnv);
});
after(async () => {
  // e3 is started again even when the test failed half-way (idempotent).
  await startTestEngine('e3');
  await Promise.all([onE2?.cleanup(), onE3?.cleanup()]);
});

interface EngineRow {
  name: string;
  reachable: boolean;
  synced: boolean;
  lastSeen: string | null;
  lastError: { code: string; cause?: string } | null;
}

const isEngineEvent = (engine: string, synced: boolean) => (e: SseEvent) =>
  e.event === 'engine' && (e.data as { engine: string }).engine === engine && (e.data as { synced: boolean }).synced === synced;

describe('one engine going away (only e3 is stopped; the first engine is never touched)', () => {
  test('the others keep serving and streaming, its containers show stale, its status says why, and it comes back by itself', async (t) => {
    const file = writeEnginesFile((fn) => t.after(async () => fn()), [e2, e3]);
    const { app, base } = await listenTestApp(t, { ENGINES_FILE: file, STATS_INTERVAL_MS: '250' });
    const [cE2, cE3] = await Promise.all([onE2.run({ stopSignalFast: true }), onE3.run({ stopSignalFast: true })]);
    await Promise.all(app.containers.engines.map((u) => (u.store.isSynced ? undefined : new Promise((resolve) => u.store.once('synced', () => resolve(undefined))))));

    const events = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'ready');
    const stats = await SseClient.open(`${base}/api/v1/stats?stream=true&engine=e2`);
    t.after(() => stats.close());
    const sampledAt = (from: number, to = Number.POSITIVE_INFINITY) =>
      stats.events.filter((e) => e.event === 'stats').map((e) => Date.parse((e.data as { sampledAt: string }).sampledAt)).filter((at) => at >= from && at <= to);
    await stats.waitFor((e) => e.event === 'stats' && (e.data as { containers: { id: string }[] }).containers.some((c) => c.id === cE2.id), 10_000, 'e2 stats');

    // Stop e3's dockerd while both streams are open.
    const stoppedAt = Date.now();
    const stopping = stopTestEngine('e3');
    await events.waitFor(isEngineEvent('e3', false), 60_000, 'engine e3 lost');
    t.diagnostic(`e3 lost on /events ${Date.now() - stoppedAt} ms after its stop began`);
    await stopping;

    // Its status says so, its containers stay listed as last seen (stale), the others are current.
    const engines = ((await (await authFetch(`${base}/api/v1/engines`)).json()) as { engines: EngineRow[] }).engines;
    const row = engines.find((e) => e.name === 'e3') as EngineRow;
    assert.equal(row.reachable, false);
    assert.equal(row.synced, false);
    assert.ok(row.lastSeen && Date.parse(row.lastSeen) <= Date.now());
    assert.equal(row.lastError?.code, 'DOCKER_UNAVAILABLE');
    assert.ok(row.lastError?.cause, `a system cause is named: ${JSON.stringify(row.lastError)}`);
    assert.deepEqual(engines.filter((e) => e.name !== 'e3').map((e) => [e.name, e.reachable, e.synced]), [['local', true, true], ['e2', true, true]]);
    const listed = (await (await authFetch(`${base}/api/v1/containers?label=gdm.test`)).json()) as { containers: { engine: string; id: string; stale?: boolean; lastSeen?: string; state: string }[] };
    const stale = listed.containers.find((c) => c.id === cE3.id);
    assert.equal(stale?.stale, true);
    assert.equal(stale?.lastSeen, row.lastSeen);
    assert.equal(listed.containers.find((c) => c.id === cE2.id)?.stale, undefined);
    assert.equal((await authFetch(`${base}/ready`)).status, 200, 'e3 is not required');
    assert.equal(((await (await authFetch(`${base}/health`)).json()) as { status: string }).status, 'degraded');
    const acted = await authFetch(`${base}/api/v1/containers/e3:${cE3.name}/start`, { method: 'POST' });
    assert.equal(acted.status, 503, 'an action on the lost engine: 503');
    assert.match(await (await authFetch(`${base}/metrics`)).text(), /gdm_engine_up\{engine="e3"\} 0/);

    // The other engines keep serving and streaming on the same open streams.
    const restarted = await authFetch(`${base}/api/v1/containers/e2:${cE2.name}/restart?timeout=1`, { method: 'POST' });
    assert.equal(restarted.status, 200);
    const change = await events.waitFor((e) => e.event === 'container' && (e.data as { id: string }).id === cE2.id, 10_000, 'e2 change during the outage');
    assert.equal((change.data as { engine: string }).engine, 'e2');
    const lostAt = Date.now();
    await stats.waitFor(() => sampledAt(lostAt).length >= 2, 10_000, 'two more e2 samples during the outage');

    // It comes back by itself (reconnect with backoff) once its dockerd is started again.
    await startTestEngine('e3');
    const startedAt = Date.now();
    await events.waitFor(isEngineEvent('e3', true), 30_000, 'engine e3 back');
    t.diagnostic(`e3 resynced ${Date.now() - startedAt} ms after its dockerd answered again`);
    const backAt = Date.now();
    const back = ((await (await authFetch(`${base}/api/v1/engines`)).json()) as { engines: EngineRow[] }).engines.find((e) => e.name === 'e3') as EngineRow;
    assert.deepEqual([back.reachable, back.synced, back.lastSeen], [true, true, null]);
    const now = (await (await authFetch(`${base}/api/v1/containers/e3:${cE3.name}`)).json()) as { state: string; stale?: boolean };
    assert.equal(now.stale, undefined);
    assert.equal(now.state, await dockerOn(e3, 'inspect', '--format', '{{.State.Status}}', cE3.name), "as e3's CLI sees it after its restart");
    assert.equal(events.ended, false, 'the events stream stayed open throughout');
    // The e2 stats stream never paused: no gap over 2 s between samples while e3 was away.
    const times = sampledAt(stoppedAt, backAt);
    const gaps = times.slice(1).map((at, i) => at - (times[i] as number));
    t.diagnostic(`e2 samples while e3 was away: ${times.length}, largest gap ${Math.max(...gaps)} ms`);
    assert.ok(gaps.length > 0 && Math.max(...gaps) < 2_000, `gaps between e2 samples (ms): ${gaps.join(', ')}`);
  });
});
