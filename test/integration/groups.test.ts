import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, listenTestApp, type ErrorBody } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { SseClient } from '../helpers/sse-client.js';
import { parseGroups } from '../../src/groups/load.js';

interface Outcome {
  name: string;
  outcome: string;
  error?: string;
}
interface Result {
  ok: boolean;
  groups: { group: string; steps: { step: number; containers: Outcome[] }[] }[];
  failure?: { group: string; step: number; container: string; reason: string };
}

const fixture = new Fixture();
const p = `gdm-t-grp-${fixture.runId}`;
const names = {
  dbFast: `${p}-db-fast`,
  dbSlow: `${p}-db-slow`,
  coreA: `${p}-core-a`,
  coreB: `${p}-core-b`,
  app: `${p}-app`,
  badNever: `${p}-bad-never`,
  badAfter: `${p}-bad-after`,
  labelled: `${p}-labelled`,
};
const groupLabel = `gdmt.${fixture.runId}.group`;
const groups = parseGroups({
  groups: {
    [`db-${fixture.runId}`]: { description: 'databases', members: [{ name: names.dbFast }, { name: names.dbSlow }] },
    [`core-${fixture.runId}`]: {
      dependsOn: [`db-${fixture.runId}`],
      members: [{ name: names.coreA }, { name: names.coreB, dependsOn: [names.coreA] }],
    },
    [`app-${fixture.runId}`]: { dependsOn: [`core-${fixture.runId}`], members: [{ name: names.app }] },
    [`bad-${fixture.runId}`]: { members: [{ name: names.badNever, order: 0 }, { name: names.badAfter, order: 1 }] },
  },
});
const G = { db: `db-${fixture.runId}`, core: `core-${fixture.runId}`, app: `app-${fixture.runId}`, bad: `bad-${fixture.runId}` };

async function inspect(name: string): Promise<{ StartedAt: string; FinishedAt: string; Running: boolean; Health?: { Status: string; Log: { End: string; ExitCode: number }[] } }> {
  return JSON.parse(await docker('inspect', '--format', '{{json .State}}', name)) as never;
}

const time = (iso: string) => Date.parse(iso);

before(async () => {
  await requireEngine();
  const slow = { command: ['sh', '-c', 'sleep 2; touch /tmp/ok; exec sleep 3600'], healthCmd: 'test -f /tmp/ok', healthInterval: '500ms' };
  await Promise.all([
    fixture.run({ name: names.dbFast, createOnly: true, stopSignalFast: true }),
    fixture.run({ name: names.dbSlow, createOnly: true, stopSignalFast: true, ...slow }),
    fixture.run({ name: names.coreA, createOnly: true, stopSignalFast: true, healthCmd: 'true', healthInterval: '500ms' }),
    fixture.run({ name: names.coreB, createOnly: true, stopSignalFast: true }),
    fixture.run({ name: names.app, createOnly: true, stopSignalFast: true }),
    fixture.run({ name: names.badNever, createOnly: true, stopSignalFast: true, healthCmd: 'false', healthInterval: '500ms' }),
    fixture.run({ name: names.badAfter, createOnly: true, stopSignalFast: true }),
    fixture.run({ name: names.labelled, createOnly: true, stopSignalFast: true, labels: { [groupLabel]: G.app } }),
  ]);
});
after(() => fixture.cleanup());

const env = { GROUP_LABEL: groupLabel, ADMIN_SERVICES: Object.values(G).join(',') };

describe('service groups against the real engine', () => {
  test('lists groups with status and members; containers show their group', async (t) => {
    const app = await buildTestApp(t, env, { groups });
    const list = (await app.inject({ url: '/api/v1/services' })).json() as { groups: { name: string; status: string; members: { total: number } }[] };
    const byName = new Map(list.groups.map((g) => [g.name, g]));
    assert.equal(byName.get(G.db)?.status, 'stopped');
    assert.equal(byName.get(G.db)?.members.total, 2);
    assert.equal(byName.get(G.app)?.members.total, 2, 'the group label adds a member');
    const details = (await app.inject({ url: `/api/v1/services/${G.core}` })).json() as {
      memberList: { name: string; step: number }[];
      dependencies: { name: string; up: boolean }[];
    };
    assert.deepEqual(details.memberList.map((m) => [m.name, m.step]), [[names.coreA, 0], [names.coreB, 1]]);
    assert.deepEqual(details.dependencies, [{ name: G.db, status: 'stopped', up: false }]);
    const c = (await app.inject({ url: `/api/v1/containers/${names.labelled}` })).json() as { group: string; groups: string[] };
    assert.equal(c.group, G.app);
    const filtered = (await app.inject({ url: `/api/v1/containers?group=${G.db}` })).json() as { containers: { name: string }[] };
    assert.deepEqual(filtered.containers.map((x) => x.name).sort(), [names.dbFast, names.dbSlow].sort());
    assert.equal((await app.inject({ url: '/api/v1/services/no-such-group' })).statusCode, 404);
  });

  test('start with dependencies goes tier by tier, step by step, each healthy before the next', async (t) => {
    const app = await buildTestApp(t, env, { groups });
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${G.app}/start?withDependencies=true&stepTimeout=30` });
    assert.equal(res.statusCode, 200, res.body);
    const result = res.json() as Result;
    assert.equal(result.ok, true);
    assert.deepEqual(result.groups.map((g) => g.group), [G.db, G.core, G.app]);

    const s = Object.fromEntries(await Promise.all(Object.entries(names).map(async ([k, n]) => [k, await inspect(n)] as const)));
    for (const k of ['dbFast', 'dbSlow', 'coreA', 'coreB', 'app', 'labelled'] as const) assert.equal(s[k]?.Running, true, `${k} runs`);
    assert.equal(s.badNever?.Running, false, 'other groups are untouched');
    // The slow database turned healthy only ~2 s after it started; core waited for that.
    const slowHealthyAt = Math.min(...(s.dbSlow?.Health?.Log ?? []).filter((l) => l.ExitCode === 0).map((l) => time(l.End)));
    assert.ok(time(s.coreA!.StartedAt) >= slowHealthyAt, 'core started after the database was healthy');
    assert.ok(time(s.coreA!.StartedAt) - time(s.dbSlow!.StartedAt) >= 1500, 'that took the database its delay');
    assert.ok(time(s.coreB!.StartedAt) > time(s.coreA!.StartedAt), 'core-b waited for core-a (member dependsOn)');
    assert.ok(time(s.app!.StartedAt) > time(s.coreB!.StartedAt), 'the app tier came last');

    const again = (await app.inject({ method: 'POST', url: `/api/v1/services/${G.app}/start?withDependencies=true` })).json() as Result;
    assert.ok(again.groups.flatMap((g) => g.steps.flatMap((st) => st.containers)).every((c) => c.outcome === 'already-running'), 'running members are left alone');
    const status = (await app.inject({ url: `/api/v1/services/${G.db}` })).json() as { status: string; memberList: { uptimeSeconds: number | null }[] };
    assert.equal(status.status, 'running');
    assert.ok(status.memberList.every((m) => m.uptimeSeconds !== null));
  });

  test('stop goes in reverse order, and stop with dependants stops the tiers above first', async (t) => {
    const app = await buildTestApp(t, env, { groups });
    await app.inject({ method: 'POST', url: `/api/v1/services/${G.app}/start?withDependencies=true&stepTimeout=30` });
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${G.db}/stop?withDependencies=true&timeout=1` });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((res.json() as Result).groups.map((g) => g.group), [G.app, G.core, G.db]);
    const s = Object.fromEntries(await Promise.all(['dbFast', 'dbSlow', 'coreA', 'coreB', 'app'].map(async (k) => [k, await inspect(names[k as keyof typeof names])] as const)));
    for (const v of Object.values(s)) assert.equal(v.Running, false);
    assert.ok(time(s.app!.FinishedAt) <= time(s.coreB!.FinishedAt), 'app stopped before core');
    assert.ok(time(s.coreB!.FinishedAt) <= time(s.coreA!.FinishedAt), 'core-b (later step) stopped before core-a');
    assert.ok(time(s.coreA!.FinishedAt) <= time(s.dbFast!.FinishedAt), 'core stopped before the databases');
  });

  test('a member that never turns healthy stops the sequence after the step timeout and says where', async (t) => {
    const app = await buildTestApp(t, env, { groups });
    const started = Date.now();
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${G.bad}/start?stepTimeout=3` });
    const took = Date.now() - started;
    assert.equal(res.statusCode, 409);
    const body = res.json() as ErrorBody & { error: { details: { result: Result } } };
    assert.equal(body.error.code, 'GROUP_OPERATION_FAILED');
    assert.match(body.error.message, new RegExp(`${names.badNever}: not up after 3 s \\(health unhealthy`));
    const result = body.error.details.result;
    assert.equal(result.failure?.container, names.badNever);
    assert.equal(result.failure?.step, 0);
    assert.deepEqual(result.groups[0]?.steps[1]?.containers.map((c) => c.outcome), ['skipped']);
    assert.ok(took >= 2900 && took < 15_000, `waited the step timeout (${took} ms)`);
    assert.equal((await inspect(names.badAfter)).Running, false, 'the next step was not started');
    await app.inject({ method: 'POST', url: `/api/v1/services/${G.bad}/stop?timeout=0` });
  });

  test('one operation per group at a time: a second one is 409 GROUP_BUSY', async (t) => {
    const { app, base } = await listenTestApp(t, env, { groups });
    await app.inject({ method: 'POST', url: `/api/v1/services/${G.db}/stop?timeout=0` });
    // Streamed, the start says `accepted` once it holds the group; it then runs ~2 s (the slow database).
    const first = await SseClient.open(`${base}/api/v1/services/${G.db}/start?stepTimeout=30`, {}, 'POST');
    t.after(() => first.close());
    assert.equal(first.status, 200, first.body);
    await first.waitFor((e) => e.event === 'accepted', 10_000, 'the first start to be accepted (the group is locked)');
    const second = await app.inject({ method: 'POST', url: `/api/v1/services/${G.db}/stop` });
    assert.equal(second.statusCode, 409);
    assert.equal((second.json() as ErrorBody).error.code, 'GROUP_BUSY');
    const dependant = await app.inject({ method: 'POST', url: `/api/v1/services/${G.core}/start?withDependencies=true` });
    assert.equal(dependant.statusCode, 409, 'a chain that includes the busy group is refused too');
    const result = await first.waitFor((e) => e.event === 'result', 30_000, 'the result of the first start');
    assert.equal((result.data as Result).ok, true, 'the first operation completed');
    assert.equal((await inspect(names.dbSlow)).Running, true, 'the first operation started the members');
    const third = await app.inject({ method: 'POST', url: `/api/v1/services/${G.db}/stop?timeout=0` });
    assert.equal(third.statusCode, 200, 'the lock is free again');
  });

  test('progress streams as Server-Sent Events when asked', async (t) => {
    const app = await buildTestApp(t, env, { groups });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const res = await fetch(`${url}/api/v1/services/${G.db}/start?stepTimeout=30`, { method: 'POST', headers: { accept: 'text/event-stream', ...app.authHeaders } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await res.text();
    const events = text.split('\n\n').filter((b) => b.includes('event: ')).map((b) => b.match(/event: (\S+)/)?.[1]);
    assert.equal(events[0], 'accepted');
    assert.ok(events.includes('progress'));
    assert.equal(events.at(-1), 'result');
    const result = JSON.parse(text.split('event: result\ndata: ')[1]?.split('\n')[0] ?? '{}') as Result;
    assert.equal(result.ok, true);
    await docker('stop', '-t', '0', names.dbFast, names.dbSlow);
  });
});
