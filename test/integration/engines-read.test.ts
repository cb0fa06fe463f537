import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody } from '../helpers/app.js';
import { docker, Fixture, requireEngine, uniqueName } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';

interface Summary {
  engine: string;
  id: string;
  name: string;
  state: string;
  stale?: boolean;
}

let e2: TestEngine;
let e3: TestEngine;
const local = new Fixture();
let onE2: Fixture;
let onE3: Fixture;
before(async () => {
  await requireEngine();
  ({ e2, e3 } = await requireTestEngines());
  onE2 = new Fixture(e2.cliEnv);
  onE3 = new Fixture(e3.cliEnv);
});
after(async () => {
  await Promise.all([local.cleanup(), onE2?.cleanup(), onE3?.cleanup()]);
});

/** The app over the first engine, e2 and e3, its store synced on all three. */
async function threeEngineApp(t: { after: (fn: () => Promise<void>) => void }) {
  const file = writeEnginesFile((fn) => t.after(async () => fn()), [e2, e3]);
  const app = await buildTestApp(t, { ENGINES_FILE: file });
  // Non-required engines do not hold the first answer: wait for every one to be in sync.
  await Promise.all(app.containers.engines.map((u) => (u.store.isSynced ? undefined : new Promise((resolve) => u.store.once('synced', () => resolve(undefined))))));
  return app;
}

describe('several engines: one merged view', () => {
  test('containers on all three engines are listed once each with their engine and the id that engine gives', async (t) => {
    const mark = uniqueName('mark');
    const labels = { 'gdm.t14': mark };
    const [a, b, c] = await Promise.all([local.run({ labels }), onE2.run({ labels }), onE3.run({ labels })]);
    const app = await threeEngineApp(t);
    const res = await app.inject({ url: `/api/v1/containers?label=gdm.t14=${mark}` });
    assert.equal(res.statusCode, 200);
    const list = (res.json() as { containers: Summary[] }).containers;
    assert.deepEqual(list.map((s) => [s.engine, s.id, s.name]).sort(), [['local', a.id, a.name], ['e2', b.id, b.name], ['e3', c.id, c.name]].sort());
    // Each id is the one that engine's own CLI reports for that name.
    assert.equal(await docker('inspect', '--format', '{{.Id}}', a.name), a.id);
    assert.equal(await dockerOn(e2, 'inspect', '--format', '{{.Id}}', b.name), b.id);
    assert.equal(await dockerOn(e3, 'inspect', '--format', '{{.Id}}', c.name), c.id);
    assert.ok(list.every((s) => s.state === 'running' && s.stale === undefined));
    // The engine filter, and the list sorted by name across engines.
    const onlyE3 = (await app.inject({ url: `/api/v1/containers?label=gdm.t14=${mark}&engine=e3` })).json() as { containers: Summary[] };
    assert.deepEqual(onlyE3.containers.map((s) => s.id), [c.id]);
    assert.deepEqual(list.map((s) => s.name), [...list.map((s) => s.name)].sort((x, y) => x.localeCompare(y)));
    // Details by engine-qualified reference, by ?engine= and by bare (unique) name.
    for (const [engine, ref] of [['e2', `e2:${b.name}`], ['e3', `${c.name}?engine=e3`], ['local', a.name]] as const) {
      const details = await app.inject({ url: `/api/v1/containers/${ref}` });
      assert.equal(details.statusCode, 200, ref);
      assert.equal((details.json() as Summary).engine, engine, ref);
    }
    assert.equal((await app.inject({ url: `/api/v1/containers/e2:${c.name}` })).statusCode, 404, 'e3 container named on e2: not found');
    assert.equal((await app.inject({ url: `/api/v1/containers/nosuch:${c.name}` })).statusCode, 404, 'unknown engine: not found');
  });

  test('the same name on two engines is 409 AMBIGUOUS naming both; the engine chooses', async (t) => {
    const name = uniqueName('twin');
    const [onTwo, onThree] = await Promise.all([onE2.run({ name }), onE3.run({ name })]);
    const app = await threeEngineApp(t);
    const res = await app.inject({ url: `/api/v1/containers/${name}` });
    assert.equal(res.statusCode, 409);
    const body = res.json() as ErrorBody & { error: { details: { candidates: { engine: string; id: string; name: string }[] } } };
    assert.equal(body.error.code, 'AMBIGUOUS');
    assert.deepEqual(
      body.error.details.candidates.sort((x, y) => x.engine.localeCompare(y.engine)),
      [
        { engine: 'e2', id: onTwo.id, name },
        { engine: 'e3', id: onThree.id, name },
      ],
    );
    // An action on an ambiguous name changes nothing on either engine.
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/containers/${name}/stop` })).statusCode, 409);
    assert.equal(await dockerOn(e2, 'inspect', '--format', '{{.State.Status}}', name), 'running');
    assert.equal(await dockerOn(e3, 'inspect', '--format', '{{.State.Status}}', name), 'running');
    assert.equal((await app.inject({ url: `/api/v1/containers/e3:${name}` })).json<Summary>().id, onThree.id);
    assert.equal((await app.inject({ url: `/api/v1/containers/${name}?engine=e2` })).json<Summary>().id, onTwo.id);
    const contradicts = await app.inject({ url: `/api/v1/containers/e2:${name}?engine=e3` });
    assert.equal(contradicts.statusCode, 400);
  });

  test('GET /engines: each engine with its version as its own CLI reports it, no key material; /health and /ready see all', async (t) => {
    const app = await threeEngineApp(t);
    const res = await app.inject({ url: '/api/v1/engines' });
    assert.equal(res.statusCode, 200);
    const { engines } = res.json() as { engines: { name: string; url: string; required: boolean; reachable: boolean; synced: boolean; version: string; apiVersion: string; containers: number; running: number; latencyMs: number | null; lastError: unknown }[] };
    assert.deepEqual(engines.map((e) => [e.name, e.required, e.reachable, e.synced]), [['local', true, true, true], ['e2', false, true, true], ['e3', false, true, true]]);
    const cliVersion = { local: await docker('version', '--format', '{{.Server.Version}}'), e2: await dockerOn(e2, 'version', '--format', '{{.Server.Version}}'), e3: await dockerOn(e3, 'version', '--format', '{{.Server.Version}}') };
    for (const e of engines) {
      assert.equal(e.version, cliVersion[e.name as keyof typeof cliVersion], e.name);
      assert.match(e.apiVersion, /^1\.\d+$/);
      assert.ok(e.latencyMs !== null && e.latencyMs >= 0, `${e.name} latency`);
      assert.ok(e.containers >= e.running);
    }
    assert.equal(engines[2]?.url, e3.url);
    const e2Count = Number(await dockerOn(e2, 'ps', '-aq').then((out) => (out ? out.split('\n').length : 0)));
    assert.ok(Math.abs((engines[1]?.containers ?? 0) - e2Count) <= 2, `e2 containers ${engines[1]?.containers} ≈ CLI ${e2Count} (others' swarm tasks come and go)`);
    assert.doesNotMatch(res.body, /BEGIN|PRIVATE|key\.pem|cert\.pem/);
    const health = (await app.inject({ url: '/health' })).json() as { status: string; engines: { name: string; reachable: boolean; synced: boolean }[] };
    assert.equal(health.status, 'ok');
    assert.deepEqual(health.engines.map((e) => [e.name, e.reachable, e.synced]), [['local', true, true], ['e2', true, true], ['e3', true, true]]);
    assert.equal((await app.inject({ url: '/ready' })).statusCode, 200);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    for (const name of ['local', 'e2', 'e3']) assert.match(metrics, new RegExp(`gdm_engine_up\\{engine="${name}"\\} 1`));
  });
});
