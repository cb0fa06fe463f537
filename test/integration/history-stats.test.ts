import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { internalsOf } from '../../src/containers/feature.js';
import type { Flush, HistoryRecorder } from '../../src/history/recorder.js';
import type { HistoryView } from '../../src/history/schemas.js';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { privateGroups } from '../helpers/private-groups.js';
import { waitForStoreChange } from '../helpers/store-events.js';

/**
 * Issue 16, resource history: with a short sampling period and nobody watching stats, after
 * N rounds the API answers N points per container, each group point is the sum of its
 * members' points, and a container outside the caller's groups does not exist for it.
 */
const fixture = new Fixture();
const groups = privateGroups(fixture.runId, ['hist', 'other']);
const HIST = groups.group('hist');
const OTHER = groups.group('other');
const N = 3;
const PERIOD_MS = 500;
let members: { id: string; name: string }[] = [];
let outsider: { id: string; name: string };

before(async () => {
  await requireEngine();
  // One member busy (so CPU is not all zeros), one idle; the outsider in another group.
  members = await Promise.all([
    fixture.run({ labels: { 'gdm.group': HIST }, command: ['sh', '-c', 'while :; do :; done'], stopSignalFast: true }),
    fixture.run({ labels: { 'gdm.group': HIST }, stopSignalFast: true }),
  ]);
  outsider = await fixture.run({ labels: { 'gdm.group': OTHER }, stopSignalFast: true });
});
after(async () => {
  await fixture.cleanup();
  groups.remove();
});

/** Resolves with N consecutive rounds that each sampled all of `ids` (a round missing one restarts the count). */
function rounds(recorder: HistoryRecorder, ids: readonly string[], n: number, timeoutMs: number): Promise<Flush[]> {
  return new Promise((resolve, reject) => {
    const got: Flush[] = [];
    const onFlush = (f: Flush) => {
      if (!ids.every((id) => f.containers.some((c) => c.id === id))) got.length = 0;
      else got.push(f);
      if (got.length === n) {
        done();
        resolve(got);
      }
    };
    const timer = setTimeout(() => { // timer-ok: a bound on the wait for the rounds, not a wait
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n} history rounds with our containers`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      recorder.off('flush', onFlush);
    };
    recorder.on('flush', onFlush);
  });
}

describe('resource history', () => {
  let app: TestApp;
  let flushes: Flush[];
  const history = async (query: string, authorization?: string) => {
    const res = await app.inject({ url: `/api/v1/stats/history?${query}`, ...(authorization ? { headers: { authorization } } : {}) });
    return { status: res.statusCode, body: res.json() as HistoryView & ErrorBody };
  };
  const range = () => `since=${new Date(flushes[0]?.time ?? 0).toISOString()}&until=${new Date(flushes.at(-1)?.time ?? 0).toISOString()}`;

  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });
  before(async () => {
    app = await buildTestApp({ after: (fn: () => Promise<void>) => closers.push(fn) }, { ...groups.env, HISTORY_INTERVAL_MS: String(PERIOD_MS), HISTORY_COARSE_INTERVAL_MS: '60000' });
    assert.ok(app.history, 'history is on by default');
    flushes = await rounds(app.history.recorder, [...members, outsider].map((m) => m.id), N, 30_000);
  });

  test('after N rounds with nobody watching stats, N points per container (and the shared 1 s sampling stayed off)', async (t) => {
    assert.equal(internalsOf(app.containers).collector.active, false, 'history samples without keeping the collector timer on');
    const times = flushes.map((f) => new Date(f.time).toISOString());
    // A round still running when the next is due makes that one skip: buckets are distinct, in order, on the grid.
    assert.ok(flushes.every((f, i) => f.time % PERIOD_MS === 0 && (i === 0 || f.time > (flushes[i - 1]?.time ?? 0))), JSON.stringify(flushes.map((f) => f.time)));
    const collector = internalsOf(app.containers).collector;
    t.diagnostic(`history rounds (ms): ${flushes.map((f) => f.durationMs).join(', ')}; containers per round: ${flushes.map((f) => f.containers.length).join(', ')}; source: ${collector.sourceOf(members[0]?.id ?? '')}`);
    for (const m of members) {
      const { status, body } = await history(`container=${m.name}&${range()}`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.resolutionMs, PERIOD_MS);
      assert.deepEqual(body.container, { id: m.id, name: m.name, engine: 'local', live: true });
      assert.deepEqual(body.points.map((p) => p.time), times);
      for (const p of body.points) {
        assert.ok(p.memoryBytes > 0 && (p.memoryLimit ?? 0) > 0, JSON.stringify(p));
        assert.ok(p.cpuPercent >= 0);
      }
    }
    const busy = await history(`container=${members[0]?.id}&${range()}`);
    assert.ok(busy.body.points.some((p) => p.cpuPercent > 10), `the busy loop shows CPU: ${JSON.stringify(busy.body.points)}`);
  });

  test("each group point is the sum of its members' points", async () => {
    const group = await history(`group=${HIST}&${range()}`);
    assert.equal(group.status, 200, JSON.stringify(group.body));
    assert.equal(group.body.group, HIST);
    assert.equal(group.body.points.length, N);
    const perMember = await Promise.all(members.map(async (m) => (await history(`container=${m.id}&${range()}`)).body.points));
    group.body.points.forEach((g, i) => {
      const ms = perMember.map((points) => points[i]);
      assert.ok(ms.every((p) => p?.time === g.time));
      assert.equal(g.memoryBytes, ms.reduce((s, p) => s + (p?.memoryBytes ?? 0), 0));
      assert.equal(Math.round(g.cpuPercent * 100), ms.reduce((s, p) => s + Math.round((p?.cpuPercent ?? 0) * 100), 0));
      assert.equal(g.netRxBytesPerSec, ms.some((p) => p?.netRxBytesPerSec !== undefined) ? ms.reduce((s, p) => s + (p?.netRxBytesPerSec ?? 0), 0) : undefined);
    });
  });

  test("outside the caller's groups a container or group does not exist (404), inside it answers", async () => {
    const authorization = `Bearer ${await app.tokenFor('user', { groups: [HIST] })}`;
    const hidden = await history(`container=${outsider.name}&${range()}`, authorization);
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.error.code, 'CONTAINER_NOT_FOUND');
    const hiddenGroup = await history(`group=${OTHER}&${range()}`, authorization);
    assert.equal(hiddenGroup.status, 404);
    assert.equal(hiddenGroup.body.error.code, 'GROUP_NOT_FOUND');
    const own = await history(`container=${members[1]?.name}&${range()}`, authorization);
    assert.equal(own.status, 200);
    assert.equal(own.body.points.length, N);
    const admin = await history(`container=${outsider.name}&${range()}`);
    assert.equal(admin.body.points.length, N, 'the admin sees it: the 404 above is access, not absence');
  });

  test('a removed container keeps its history (live: false), still only for callers of its groups', async () => {
    const gone = outsider;
    const removed = waitForStoreChange(app, (c) => c.id === gone.id && c.kind === 'removed', 15_000, 'the outsider removed');
    await docker('rm', '-f', gone.id);
    await removed;
    const { status, body } = await history(`container=${gone.name}&${range()}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.container, { id: gone.id, name: gone.name, engine: 'local', live: false });
    assert.equal(body.points.length, N);
    const authorization = `Bearer ${await app.tokenFor('user', { groups: [HIST] })}`;
    assert.equal((await history(`container=${gone.name}&${range()}`, authorization)).status, 404);
  });

  test('bad queries are refused with 400', async () => {
    assert.equal((await history(`${range()}`)).status, 400, 'neither container nor group');
    assert.equal((await history(`container=${members[0]?.name}&group=${HIST}`)).status, 400, 'both');
    assert.equal((await history(`group=${HIST}&resolution=7s`)).status, 400, 'a width no tier has');
    assert.equal((await history(`group=${HIST}&since=2h&until=1h&resolution=1m`)).status, 200);
    assert.equal((await history(`group=${HIST}&since=1h&until=2h`)).status, 400, 'since after until');
    assert.equal((await history(`group=${HIST}&since=7d&resolution=${PERIOD_MS}ms`)).status, 400, 'too many buckets');
  });
});

describe('resource history switched off', () => {
  test('HISTORY_ENABLED=false: no recorder, no file, no route', async (t) => {
    const app = await buildTestApp(t, { HISTORY_ENABLED: 'false' });
    assert.equal(app.history, null);
    const res = await app.inject({ url: `/api/v1/stats/history?group=${HIST}` });
    assert.equal(res.statusCode, 404);
    assert.equal((res.json() as ErrorBody).error.code, 'NOT_FOUND');
  });
});
