import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody } from '../helpers/app.js';
import { docker, Fixture, requireEngine, TEST_LABEL } from '../helpers/docker-cli.js';
import { TestRepository, testRegistry } from '../helpers/test-registry.js';
import { parseGroups } from '../../src/groups/load.js';
import { SYSTEM_PRINCIPAL } from '../../src/access/principal.js';

interface Inspect {
  Id: string;
  Name: string;
  Image: string;
  State: { StartedAt: string; Running: boolean; Health?: { Status: string; Log: { End: string; ExitCode: number }[] } };
  Config: { Env: string[]; Labels: Record<string, string>; Cmd: string[]; Healthcheck?: unknown; Hostname: string };
  HostConfig: { RestartPolicy: unknown; Binds: string[] | null };
  Mounts: { Type: string; Name?: string; Destination: string; RW: boolean }[];
  NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> };
}
interface Member {
  id: string;
  name: string;
  outcome: string;
  previousId?: string;
  error?: string;
}
interface Result {
  ok: boolean;
  steps: { group: string; step: number; members: Member[] }[];
  failure?: { group: string; step: number; containers: string[]; reason: string };
}

const fixture = new Fixture();
const p = `gdm-t-updr-${fixture.runId}`;
const G = `updr-${fixture.runId}`;
const OTHER = `other-${fixture.runId}`;
const names = { db: `${p}-db`, apiA: `${p}-api-a`, apiB: `${p}-api-b` };
const net = `${p}-net`;
const vol = `${p}-vol`;
const groups = parseGroups({
  groups: { [G]: { members: [{ name: names.db, order: 0 }, { name: names.apiA, order: 1 }, { name: names.apiB, order: 1 }] }, [OTHER]: { members: [] } },
});
let repo: TestRepository;
let env: Record<string, string>;

const inspect = async (n: string) => JSON.parse(await docker('inspect', n))[0] as Inspect;
const imageId = (ref: string) => docker('image', 'inspect', '--format', '{{.Id}}', ref);
/** What must survive a re-create unchanged (the engine's own short-id alias aside). */
function settings(i: Inspect) {
  return {
    name: i.Name,
    env: i.Config.Env,
    labels: i.Config.Labels,
    cmd: i.Config.Cmd,
    healthcheck: i.Config.Healthcheck,
    restart: i.HostConfig.RestartPolicy,
    mounts: i.Mounts.map((m) => [m.Type, m.Name, m.Destination, m.RW]),
    networks: Object.fromEntries(Object.entries(i.NetworkSettings.Networks).map(([k, n]) => [k, (n.Aliases ?? []).filter((a) => a !== i.Id.slice(0, 12)).sort()])),
  };
}
const healthyAt = (i: Inspect) => Math.min(...(i.State.Health?.Log ?? []).filter((l) => l.ExitCode === 0).map((l) => Date.parse(l.End)));

before(async () => {
  await requireEngine();
  repo = new TestRepository(await testRegistry(), fixture.runId);
  await repo.publish('v1', ['latest']);
  await docker('network', 'create', '--label', `${TEST_LABEL}=${fixture.runId}`, net);
  await docker('volume', 'create', '--label', `${TEST_LABEL}=${fixture.runId}`, vol);
  const image = `${repo.repo}:latest`;
  const common = (alias: string) => ['--network', net, '--network-alias', alias, '--stop-timeout', '1'];
  await fixture.run({ name: names.db, image, env: { DB_MODE: 'primary' }, labels: { tier: 'db' }, extraArgs: [...common('database'), '-v', `${vol}:/data`, '--restart', 'unless-stopped'] });
  await fixture.run({ name: names.apiA, image, labels: { tier: 'api' }, healthCmd: 'true', extraArgs: [...common('api'), '--restart', 'on-failure:3', '-v', '/srv-anon'] });
  await fixture.run({ name: names.apiB, image, env: { API: 'b' }, extraArgs: common('api-b') });
  env = { REGISTRY_INSECURE: repo.address, ADMIN_SERVICES: `${G},${OTHER}`, DEVELOPER_SERVICES: `${G},${OTHER}`, USER_SERVICES: G };
});
after(async () => {
  await fixture.cleanup();
  await docker('network', 'rm', net).catch(() => undefined);
  await docker('volume', 'rm', vol).catch(() => undefined);
  await repo?.cleanup();
});

describe('image update rollouts, tier by tier, against the real engine', () => {
  test('RBAC: a developer outside the group gets 404, a user 403; a held group 409', async (t) => {
    const app = await buildTestApp(t, env, { groups });
    const as = async (role: 'user' | 'developer', g: string[], url: string) =>
      (await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${await app.tokenFor(role, { groups: g })}` } })).statusCode;
    assert.equal(await as('developer', [OTHER], `/api/v1/services/${G}/update?dryRun=true`), 404);
    assert.equal(await as('user', [G], `/api/v1/services/${G}/update?dryRun=true`), 403);
    assert.equal(await as('developer', [G], `/api/v1/services/${G}/update?dryRun=true`), 403, 'a group update needs WRITE');
    assert.equal(await as('developer', [OTHER], `/api/v1/containers/${names.apiB}/update?dryRun=true`), 404);
    assert.equal(await as('user', [G], `/api/v1/containers/${names.apiB}/update?dryRun=true`), 403);
    const held = app.groups.groupRunner.hold(G, [G], SYSTEM_PRINCIPAL);
    try {
      const busy = await app.inject({ method: 'POST', url: `/api/v1/services/${G}/update` });
      assert.equal(busy.statusCode, 409, busy.body);
      assert.equal(busy.json<ErrorBody>().error.code, 'GROUP_BUSY');
    } finally {
      held.release();
    }
  });

  test('rolled to v2: every member on the new image, in tier order, with its settings unchanged; audited; prune removes v1', async (t) => {
    const v1 = await imageId(`${names.db}`).catch(() => '');
    assert.equal(v1, '', 'names are containers, not images');
    const beforeAll = Object.fromEntries(await Promise.all(Object.entries(names).map(async ([k, n]) => [k, await inspect(n)] as const)));
    await repo.publish('v2', ['latest']);
    const app = await buildTestApp(t, env, { groups });
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${G}/update?stepTimeout=60` });
    assert.equal(res.statusCode, 200, res.body);
    const result = res.json<Result>();
    assert.equal(result.ok, true);
    assert.deepEqual(result.steps.map((s) => [s.step, s.members.map((m) => [m.name, m.outcome]).sort()]), [
      [0, [[names.db, 'updated']]],
      [1, [[names.apiA, 'updated'], [names.apiB, 'updated']]],
    ]);
    const v2 = await imageId(`${repo.repo}:latest`);
    const afterAll = Object.fromEntries(await Promise.all(Object.entries(names).map(async ([k, n]) => [k, await inspect(n)] as const)));
    for (const k of Object.keys(names) as (keyof typeof names)[]) {
      const [b, a] = [beforeAll[k]!, afterAll[k]!];
      assert.equal(a.Image, v2, `${k} runs v2`);
      assert.notEqual(a.Id, b.Id, `${k} is a new container`);
      assert.equal(a.State.Running, true);
      assert.deepEqual(settings(a), settings(b), `${k}: name, env, labels, mounts, networks, restart policy unchanged`);
    }
    const dbUp = healthyAt(afterAll.db!);
    for (const k of ['apiA', 'apiB'] as const) assert.ok(Date.parse(afterAll[k]!.State.StartedAt) >= dbUp, `${k} started after the db tier was healthy`);
    const left = await docker('ps', '-a', '--filter', `label=${TEST_LABEL}=${fixture.runId}`, '--format', '{{.Names}}');
    assert.deepEqual(left.split('\n').sort(), Object.values(names).sort(), 'the old containers are gone');
    const audit = (await app.inject({ url: '/api/v1/audit?action=UPDATE%20recreate' })).json<{ entries: { target: string; outcome: string }[] }>();
    assert.deepEqual(audit.entries.map((e) => [e.target, e.outcome]).sort(), Object.values(names).sort().map((n) => [n, 'allowed']));
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/updates/prune', headers: { authorization: `Bearer ${await app.tokenFor('developer', { groups: [G] })}` } })).statusCode, 403);
    const pruned = (await app.inject({ method: 'POST', url: '/api/v1/updates/prune' })).json<{ removed: { id: string }[] }>();
    assert.deepEqual(pruned.removed.map((r) => r.id), [beforeAll.db!.Image], 'v1, which no container uses now');
    await assert.rejects(imageId(beforeAll.db!.Image), 'v1 is gone from the engine');
  });

  test('rolled to v3: the first step fails its gate and is put back on v2, healthy; the second tier is untouched', async (t) => {
    const beforeAll = Object.fromEntries(await Promise.all(Object.entries(names).map(async ([k, n]) => [k, await inspect(n)] as const)));
    await repo.publish('v3', ['latest']);
    const app = await buildTestApp(t, env, { groups });
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${G}/update?stepTimeout=20` });
    assert.equal(res.statusCode, 409, res.body);
    const body = res.json<ErrorBody & { error: { details: { result: Result } } }>();
    assert.equal(body.error.code, 'UPDATE_FAILED');
    assert.match(body.error.message, new RegExp(`group ${G}, step 0 \\(${names.db}\\)`));
    const result = body.error.details.result;
    assert.deepEqual(result.failure && [result.failure.group, result.failure.step, result.failure.containers], [G, 0, [names.db]]);
    assert.match(result.failure?.reason ?? '', /not up after 20 s \(health unhealthy/);
    assert.deepEqual(result.steps[1]?.members.map((m) => m.outcome), ['skipped', 'skipped']);
    const db = await inspect(names.db);
    assert.equal(db.Image, beforeAll.db!.Image, 'the db is back on v2');
    assert.equal(db.State.Health?.Status, 'healthy');
    assert.deepEqual(settings(db), settings(beforeAll.db!));
    for (const k of ['apiA', 'apiB'] as const) {
      const a = await inspect(names[k]);
      assert.equal(a.Id, beforeAll[k]!.Id, `${k} was never touched`);
      assert.equal(a.State.StartedAt, beforeAll[k]!.State.StartedAt);
    }
    const audit = (await app.inject({ url: '/api/v1/audit?limit=50' })).json<{ entries: { action: string; target: string; outcome: string }[] }>();
    const mine = audit.entries.filter((e) => e.action.startsWith('UPDATE ')).map((e) => [e.action, e.target, e.outcome]);
    assert.deepEqual(mine.sort(), [['UPDATE recreate', names.db, 'failed'], ['UPDATE rollback', names.db, 'allowed']]);
    assert.ok(audit.entries.some((e) => e.action === `POST /api/v1/services/:group/update` && e.outcome === 'failed'), 'the request itself too');
  });
});
