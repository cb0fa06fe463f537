import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authFetch, buildTestApp, listenTestApp } from '../helpers/app.js';
import { Fixture, requireEngine, uniqueName } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { SseClient } from '../helpers/sse-client.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';
import { parseGroups } from '../../src/groups/load.js';
import type { ContainerChange } from '../../src/containers/container-store.js';
import { nextEvent } from '../helpers/events.js';

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
  await Promise.all([onE2?.cleanup(), onE3?.cleanup()]);
});

const enginesEnv = (t: { after: (fn: () => Promise<void>) => void }) => ({ ENGINES_FILE: writeEnginesFile((fn) => t.after(async () => fn()), [e2, e3]) });
const allSynced = (app: { containers: { engines: readonly { store: { isSynced: boolean; once(e: 'synced', fn: () => void): unknown } }[] } }) =>
  Promise.all(app.containers.engines.map((u) => (u.store.isSynced ? undefined : new Promise<void>((resolve) => u.store.once('synced', () => resolve())))));

interface Inspected {
  StartedAt: string;
  FinishedAt: string;
  Running: boolean;
  Health?: { Log: { End: string; ExitCode: number }[] };
}
const inspectOn = async (engine: TestEngine, name: string) => JSON.parse(await dockerOn(engine, 'inspect', '--format', '{{json .State}}', name)) as Inspected;
const time = (iso: string) => Date.parse(iso);

describe('groups spanning engines', () => {
  test('a group on e3 that depends on one on e2 starts in order, health-gated (timestamps from each engine), and stops in reverse', async (t) => {
    const run = uniqueName('span');
    const [dbName, coreName] = [`${run}-db`, `${run}-core`];
    // The database turns healthy ~1.5 s after it starts; the same name on e3 is not a member (the member names e2).
    await onE2.run({ name: dbName, createOnly: true, stopSignalFast: true, command: ['sh', '-c', 'sleep 1.5; touch /tmp/up; exec sleep 3600'], healthCmd: 'test -f /tmp/up', healthInterval: '500ms' });
    await onE3.run({ name: dbName, createOnly: true });
    await onE3.run({ name: coreName, createOnly: true, stopSignalFast: true });
    const groups = parseGroups({
      groups: {
        [`found-${run}`]: { members: [{ name: dbName, engine: 'e2' }] },
        [`core-${run}`]: { dependsOn: [`found-${run}`], members: [{ name: coreName, engine: 'e3' }] },
      },
    });
    const app = await buildTestApp(t, enginesEnv(t), { groups });
    await allSynced(app);
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/core-${run}/start?withDependencies=true&stepTimeout=30` });
    assert.equal(res.statusCode, 200, res.body);
    // Each member's outcome names its engine (dbName exists on both; only e2's is the member).
    const outcomes = (res.json() as { groups: { group: string; steps: { containers: { engine: string; name: string; outcome: string }[] }[] }[] }).groups.map((g) => [
      g.group,
      g.steps.flatMap((s) => s.containers.map((c) => [c.engine, c.name, c.outcome])),
    ]);
    assert.deepEqual(outcomes, [
      [`found-${run}`, [['e2', dbName, 'started']]],
      [`core-${run}`, [['e3', coreName, 'started']]],
    ]);
    const db = await inspectOn(e2, dbName);
    const core = await inspectOn(e3, coreName);
    assert.ok(db.Running && core.Running);
    assert.equal((await inspectOn(e3, dbName)).Running, false, 'the same name on another engine is not a member');
    const healthyAt = Math.min(...(db.Health?.Log ?? []).filter((l) => l.ExitCode === 0).map((l) => time(l.End)));
    assert.ok(time(core.StartedAt) >= healthyAt, `core on e3 started (${core.StartedAt}) after the database on e2 was healthy (${new Date(healthyAt).toISOString()})`);
    const view = (await app.inject({ url: `/api/v1/services/core-${run}` })).json() as { status: string; engines: string[]; memberList: { id: string; name: string; engine: string }[] };
    assert.equal(view.status, 'running');
    // Each view names the engine: the member's own, and the group's engines in its summary.
    const coreId = await dockerOn(e3, 'inspect', '--format', '{{.Id}}', coreName);
    assert.deepEqual(view.memberList.map((m) => [m.name, m.engine, m.id]), [[coreName, 'e3', coreId]]);
    assert.deepEqual(view.engines, ['e3']);
    const found = (await app.inject({ url: `/api/v1/services/found-${run}` })).json() as { engines: string[]; memberList: { name: string; engine: string }[] };
    assert.deepEqual(found.memberList.map((m) => [m.name, m.engine]), [[dbName, 'e2']], 'the member on e2, not its namesake on e3');
    const summaries = ((await app.inject({ url: '/api/v1/services' })).json() as { groups: { name: string; engines: string[] }[] }).groups;
    assert.deepEqual(summaries.filter((g) => g.name.endsWith(run)).map((g) => [g.name, g.engines]).sort(), [[`core-${run}`, ['e3']], [`found-${run}`, ['e2']]]);

    const stop = await app.inject({ method: 'POST', url: `/api/v1/services/found-${run}/stop?withDependencies=true&timeout=1` });
    assert.equal(stop.statusCode, 200, stop.body);
    const [dbAfter, coreAfter] = [await inspectOn(e2, dbName), await inspectOn(e3, coreName)];
    assert.ok(!dbAfter.Running && !coreAfter.Running);
    assert.ok(time(coreAfter.FinishedAt) <= time(dbAfter.FinishedAt), 'core (e3) stopped before the database (e2)');
  });
});

describe('access limited to engines (role × engine × group)', () => {
  test('a caller limited to e2 never sees e3: not by id, prefix, name, list, engines, events or group views', async (t) => {
    const run = uniqueName('scope');
    const twin = `${run}-twin`;
    const [a2, a3] = await Promise.all([onE2.run({ name: `${run}-a`, stopSignalFast: true }), onE3.run({ name: `${run}-b`, stopSignalFast: true })]);
    const [t2, t3] = await Promise.all([onE2.run({ name: twin }), onE3.run({ name: twin })]);
    const groups = parseGroups({ groups: { [`both-${run}`]: { members: [{ pattern: `${run}-*` }] } } });
    const { app, base } = await listenTestApp(t, { ...enginesEnv(t), DEVELOPER_ENGINES: 'local,e3' }, { groups });
    await allSynced(app);
    const limited = { authorization: `Bearer ${await app.tokenFor('developer', { groups: ['*'], engines: ['e2'] })}` };
    const get = (url: string) => authFetch(`${base}${url}`, { headers: limited });

    const me = (await (await get('/api/v1/auth/me')).json()) as { engines: string[] };
    assert.deepEqual(me.engines, ['e2']);
    const listed = ((await (await get('/api/v1/containers')).json()) as { containers: { engine: string; id: string }[] }).containers;
    assert.ok(listed.length >= 3 && listed.every((c) => c.engine === 'e2'), 'only e2 containers are listed');
    assert.ok(listed.some((c) => c.id === a2.id) && !listed.some((c) => c.id === a3.id));
    for (const ref of [a3.id, a3.id.slice(0, 12), a3.name, `e3:${a3.name}`, `${a3.name}?engine=e3`]) {
      assert.equal((await get(`/api/v1/containers/${ref}`)).status, 404, ref);
    }
    assert.equal((await authFetch(`${base}/api/v1/containers/${a3.name}/stop`, { method: 'POST', headers: limited })).status, 404);
    assert.equal(await dockerOn(e3, 'inspect', '--format', '{{.State.Running}}', a3.name), 'true', 'nothing happened on e3');
    // The twin's other half is hidden: the name resolves on e2, no 409 naming e3.
    const twinRes = await get(`/api/v1/containers/${twin}`);
    assert.equal(twinRes.status, 200);
    assert.equal(((await twinRes.json()) as { id: string }).id, t2.id);
    assert.notEqual(t2.id, t3.id);
    const engines = ((await (await get('/api/v1/engines')).json()) as { engines: { name: string }[] }).engines;
    assert.deepEqual(engines.map((e) => e.name), ['e2']);
    // Group views: the member on e3 does not exist for it; acting on the group is refused.
    const group = (await (await get(`/api/v1/services/both-${run}`)).json()) as { engines: string[]; memberList: { id: string; engine: string }[] };
    assert.deepEqual(group.memberList.map((m) => m.id).sort(), [a2.id, t2.id].sort());
    assert.deepEqual([group.engines, [...new Set(group.memberList.map((m) => m.engine))]], [['e2'], ['e2']], 'the hidden engine is not named');
    const whole = (await app.inject({ url: `/api/v1/services/both-${run}` })).json() as { engines: string[]; memberList: { id: string; engine: string }[] };
    assert.deepEqual(whole.engines, ['e2', 'e3'], 'an unlimited caller sees the group span both');
    assert.deepEqual(whole.memberList.map((m) => `${m.engine}:${m.id}`).sort(), [`e2:${a2.id}`, `e2:${t2.id}`, `e3:${a3.id}`, `e3:${t3.id}`].sort());
    assert.equal((await authFetch(`${base}/api/v1/services/both-${run}/stop?timeout=1`, { method: 'POST', headers: limited })).status, 403);
    // The role's default engines apply without a claim: a developer token without engines sees local and e3, not e2.
    const byRole = { authorization: `Bearer ${await app.tokenFor('developer', { groups: ['*'] })}` };
    assert.equal((await authFetch(`${base}/api/v1/containers/${a2.name}`, { headers: byRole })).status, 404);
    assert.equal((await authFetch(`${base}/api/v1/containers/${a3.name}`, { headers: byRole })).status, 200);

    // Events: a change on e3 never reaches the limited stream; one on e2 does.
    const events = await SseClient.open(`${base}/api/v1/events`, limited);
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'ready');
    const seenOnE3 = nextEvent<[ContainerChange]>(app.containers.store, 'change', (c) => c.id === a3.id && c.action === 'die', 15_000, 'e3 die in the store');
    await dockerOn(e3, 'stop', '-t', '1', a3.name);
    await seenOnE3;
    await dockerOn(e2, 'stop', '-t', '1', a2.name);
    await events.waitFor((e) => e.event === 'container' && (e.data as { id: string }).id === a2.id, 15_000, 'e2 change');
    assert.ok(!events.events.some((e) => JSON.stringify(e.data).includes(a3.id) || (e.data as { engine?: string }).engine === 'e3'), 'nothing of e3 on the stream');
  });
});

describe('a local user limited to engines', () => {
  test("the user's own engines apply (and change at once, like its groups); the role's apply when it has none", async (t) => {
    const [b, c] = await Promise.all([onE2.run(), onE3.run()]);
    const app = await buildTestApp(t, enginesEnv(t));
    await allSynced(app);
    const password = 'engines-only-e3-pw';
    const made = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: 'only-e3', password, role: 'admin', engines: ['e3'] } });
    assert.equal(made.statusCode, 201, made.body);
    const user = made.json() as { id: number; engines: string[] };
    assert.deepEqual(user.engines, ['e3']);
    const login = async () => `Bearer ${((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'only-e3', password }, headers: { authorization: '' } })).json() as { token: string }).token}`;
    let auth = await login();
    const status = async (ref: string) => (await app.inject({ url: `/api/v1/containers/${ref}`, headers: { authorization: auth } })).statusCode;
    assert.deepEqual([await status(c.name), await status(b.name)], [200, 404]);
    const bad = await app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload: { engines: ['no:colon'] } });
    assert.equal(bad.statusCode, 400);
    assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload: { engines: null } })).statusCode, 200);
    assert.equal(await status(c.name), 401, 'a change of engines stops its tokens at once');
    auth = await login();
    assert.deepEqual([await status(c.name), await status(b.name)], [200, 200], "back to the role's engines (*)");
  });
});
