import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listenTestApp, authFetch } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { SseClient } from '../helpers/sse-client.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';

let e2: TestEngine;
let e3: TestEngine;
const fixtures: Record<string, Fixture> = { local: new Fixture() };
/** Each engine's own CLI: the independent view the API is checked against. */
const cli: Record<string, (...args: string[]) => Promise<string>> = { local: docker };
before(async () => {
  await requireEngine();
  ({ e2, e3 } = await requireTestEngines());
  for (const e of [e2, e3]) {
    fixtures[e.name] = new Fixture(e.cliEnv);
    cli[e.name] = (...args) => dockerOn(e, ...args);
  }
});
after(() => Promise.all(Object.values(fixtures).map((f) => f.cleanup())));

async function threeEngines(t: { after: (fn: () => Promise<void>) => void }) {
  const file = writeEnginesFile((fn) => t.after(async () => fn()), [e2, e3]);
  const listening = await listenTestApp(t, { ENGINES_FILE: file, STATS_INTERVAL_MS: '500' });
  await Promise.all(listening.app.containers.engines.map((u) => (u.store.isSynced ? undefined : new Promise((resolve) => u.store.once('synced', () => resolve(undefined))))));
  return listening;
}

interface Change {
  kind: string;
  engine: string;
  action: string;
  id: string;
  container?: { engine: string; state: string };
}

describe('actions, logs, stats and events on each engine', () => {
  test('stop and start on each engine act on that engine (its CLI agrees) and /events reports them with the engine', async (t) => {
    const { base } = await threeEngines(t);
    const events = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'ready');
    // One engine's stream: its snapshot and changes only (one container on each engine first).
    const [firstLocal, firstE2] = [await (fixtures['local'] as Fixture).run(), await (fixtures['e2'] as Fixture).run()];
    await events.waitFor((e) => e.event === 'container' && (e.data as Change).id === firstE2.id, 10_000, 'the first e2 container in the store');
    await events.waitFor((e) => e.event === 'container' && (e.data as Change).id === firstLocal.id, 10_000, 'the first local container in the store');
    const onlyE2 = await SseClient.open(`${base}/api/v1/events?engine=e2&snapshot=true`);
    t.after(() => onlyE2.close());
    const snapshot = (await onlyE2.waitFor((e) => e.event === 'snapshot')).data as { containers: { engine: string; id: string }[] };
    assert.deepEqual([...new Set(snapshot.containers.map((c) => c.engine))], ['e2'], 'the snapshot holds e2’s containers only');
    assert.ok(snapshot.containers.some((c) => c.id === firstE2.id) && !snapshot.containers.some((c) => c.id === firstLocal.id));
    const changed: Record<string, string> = {};
    for (const engine of ['local', 'e2', 'e3']) {
      const c = await (fixtures[engine] as Fixture).run({ stopSignalFast: true });
      const ref = `${engine}:${c.name}`;
      // The store may not have seen the create yet: the engine is asked once (read-your-writes).
      const stop = await authFetch(`${base}/api/v1/containers/${ref}/stop?timeout=1`, { method: 'POST' });
      assert.equal(stop.status, 200, `${engine} stop`);
      const stopped = (await stop.json()) as { engine: string; id: string; state: string };
      assert.deepEqual([stopped.engine, stopped.id, stopped.state], [engine, c.id, 'exited']);
      assert.equal(await cli[engine]!('inspect', '--format', '{{.State.Status}}', c.name), 'exited', `${engine}'s CLI sees it stopped`);
      const die = await events.waitFor((e) => e.event === 'container' && (e.data as Change).id === c.id && (e.data as Change).action === 'die', 10_000, `${engine} die event`);
      assert.equal((die.data as Change).engine, engine);
      assert.equal((die.data as Change).container?.engine, engine);

      const start = await authFetch(`${base}/api/v1/containers/${c.name}/start?engine=${engine}`, { method: 'POST' });
      assert.equal(start.status, 200, `${engine} start`);
      assert.equal(((await start.json()) as { state: string }).state, 'running');
      assert.equal(await cli[engine]!('inspect', '--format', '{{.State.Running}}', c.name), 'true');
      await events.waitFor((e) => e.event === 'container' && (e.data as Change).id === c.id && (e.data as Change).action === 'start', 10_000, `${engine} start event`);
      changed[engine] = c.id;
    }
    // A last change on e2, after every other engine's: once it arrives, all before it did (one ordered stream).
    const last = await (fixtures['e2'] as Fixture).run({ stopSignalFast: true });
    await onlyE2.waitFor((e) => e.event === 'container' && (e.data as Change).id === last.id, 10_000, 'the last e2 change on ?engine=e2');
    const seen = onlyE2.events.filter((e) => e.event === 'container').map((e) => e.data as Change);
    assert.deepEqual([...new Set(seen.map((c) => c.engine))], ['e2'], 'no other engine’s change');
    assert.ok(seen.some((c) => c.id === changed['e2'] && c.action === 'die'), 'e2’s stop is there');
    assert.ok(!seen.some((c) => c.id === changed['local'] || c.id === changed['e3']));
    assert.equal((await authFetch(`${base}/api/v1/events?engine=not%20a%20name`)).status, 400, 'an engine name is validated');
  });

  test('logs and stats of a container on each engine come from that engine', async (t) => {
    const { base } = await threeEngines(t);
    for (const engine of ['local', 'e2', 'e3']) {
      const word = `hello-from-${engine}-${Date.now()}`;
      const c = await (fixtures[engine] as Fixture).run({ command: ['sh', '-c', `echo ${word}; exec sleep 3600`] });
      const cliLogs = await cli[engine]!('logs', c.name);
      assert.match(cliLogs, new RegExp(word));
      const logs = await authFetch(`${base}/api/v1/containers/${engine}:${c.name}/logs`);
      assert.equal(logs.status, 200, `${engine} logs`);
      const body = (await logs.json()) as { engine: string; id: string; lines: { text: string }[] };
      assert.deepEqual([body.engine, body.id], [engine, c.id]);
      assert.deepEqual(body.lines.map((l) => l.text), [word]);

      const stats = await authFetch(`${base}/api/v1/containers/${engine}:${c.id.slice(0, 12)}/stats`);
      assert.equal(stats.status, 200, `${engine} stats`);
      const sample = (await stats.json()) as { engine: string; id: string; memory: { usage: number }; pids: number };
      assert.deepEqual([sample.engine, sample.id], [engine, c.id]);
      assert.ok(sample.memory.usage > 0 && sample.pids >= 1, `${engine}: ${JSON.stringify(sample)}`);
      // The same process count as that engine's own view of the container.
      const pids = Number(await cli[engine]!('stats', '--no-stream', '--format', '{{.PIDs}}', c.name));
      assert.equal(sample.pids, pids, `${engine} pids`);
    }
    const set = await authFetch(`${base}/api/v1/stats?engine=e3`);
    const all = (await set.json()) as { containers: { engine: string }[] };
    assert.ok(all.containers.length >= 1 && all.containers.every((c) => c.engine === 'e3'), 'the stats set filters by engine');
  });

  test('the audit log names the engine and id acted on', async (t) => {
    const { app, base } = await threeEngines(t);
    const c = await (fixtures.e2 as Fixture).run({ stopSignalFast: true });
    assert.equal((await authFetch(`${base}/api/v1/containers/${c.name}/restart?timeout=1`, { method: 'POST' })).status, 200);
    const rows = (await app.inject({ url: '/api/v1/audit?limit=20' })).json() as { entries: { action: string; target: string; details: { container?: { engine: string; id: string } } | null }[] };
    const row = rows.entries.find((r) => r.action.includes('restart') && r.target === c.name);
    assert.deepEqual(row?.details?.container, { engine: 'e2', id: c.id }, JSON.stringify(rows.entries.slice(0, 3)));
  });
});
