import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { TestRepository, testRegistry } from '../helpers/test-registry.js';
import { parseGroups } from '../../src/groups/load.js';

interface Status {
  id: string;
  name: string;
  updateAvailable: boolean | null;
  currentDigest: string | null;
  latestDigest: string | null;
  checkedAt: string;
  error?: string;
}

const fixture = new Fixture();
const G = `upd-${fixture.runId}`;
const name = `gdm-t-updc-${fixture.runId}`;
const groups = parseGroups({ groups: { [G]: { members: [{ name }] } } });
let repo: TestRepository;
let env: Record<string, string>;

/** This run's images on the engine with their tags and digests (others' come and go meanwhile): what a check must leave as it is. */
const images = () => docker('images', '-a', '--digests', '--no-trunc', '--filter', `label=gdm.test=${fixture.runId}`, '--format', '{{.ID}} {{.Repository}}:{{.Tag}} {{.Digest}}');

before(async () => {
  await requireEngine();
  repo = new TestRepository(await testRegistry(), fixture.runId);
  await repo.publish('v1', ['latest']);
  await fixture.run({ name, image: `${repo.repo}:latest`, stopSignalFast: true });
  env = { REGISTRY_INSECURE: repo.address, ADMIN_SERVICES: G };
});
after(async () => {
  await fixture.cleanup();
  await repo?.cleanup();
});

describe('image update checks against a local registry', () => {
  test('latest = v1: no update; the result is kept with its time and shown in the container and group views', async (t) => {
    const app = await buildTestApp(t, env, { groups });
    const res = await app.inject({ method: 'POST', url: `/api/v1/updates/check?container=${name}` });
    assert.equal(res.statusCode, 200, res.body);
    const [s] = res.json<{ updates: Status[] }>().updates;
    const v1 = await repo.digest('v1');
    assert.equal(s?.name, name);
    assert.equal(s?.updateAvailable, false, JSON.stringify(s));
    assert.equal(s?.currentDigest, v1, 'the RepoDigests entry of that repository');
    assert.equal(s?.latestDigest, v1);
    assert.ok(Date.now() - Date.parse(s?.checkedAt ?? '') < 60_000);
    const listed = (await app.inject({ url: '/api/v1/updates' })).json<{ updates: Status[] }>().updates;
    assert.deepEqual(listed.map((u) => u.name), [name]);
    const details = (await app.inject({ url: `/api/v1/containers/${name}` })).json<{ update?: Status }>();
    assert.equal(details.update?.updateAvailable, false);
  });

  test('v2 pushed as latest: the update shows (digests compared), nothing is pulled; a dry run lists the plan', async (t) => {
    await repo.publish('v2', ['latest']);
    const v2 = await repo.digest('latest');
    const app = await buildTestApp(t, env, { groups });
    const before = await images();
    assert.equal(before.split('\n').length, 1, `only v1 is on the engine: ${before}`);
    const res = await app.inject({ method: 'POST', url: `/api/v1/updates/check?group=${G}` });
    assert.equal(res.statusCode, 200, res.body);
    const [s] = res.json<{ updates: Status[] }>().updates;
    assert.equal(s?.updateAvailable, true, JSON.stringify(s));
    assert.equal(s?.latestDigest, v2);
    assert.equal(s?.currentDigest, await repo.digest('v1'));
    assert.equal(await images(), before, 'a check pulls nothing');
    const list = (await app.inject({ url: '/api/v1/containers' })).json<{ containers: { name: string; update?: Status }[] }>();
    assert.equal(list.containers.find((c) => c.name === name)?.update?.updateAvailable, true, 'the list shows the mark');
    const group = (await app.inject({ url: `/api/v1/services/${G}` })).json<{ memberList: { name: string; update?: Status }[] }>();
    assert.equal(group.memberList[0]?.update?.latestDigest, v2, 'the group view shows it');

    const id = await docker('inspect', '--format', '{{.Id}}', name);
    const plan = await app.inject({ method: 'POST', url: `/api/v1/services/${G}/update?dryRun=true` });
    assert.equal(plan.statusCode, 200, plan.body);
    const result = plan.json<{ dryRun: boolean; steps: { group: string; step: number; members: { name: string; outcome: string }[] }[] }>();
    assert.equal(result.dryRun, true);
    assert.deepEqual(result.steps.map((st) => [st.group, st.step, st.members.map((m) => [m.name, m.outcome])]), [[G, 0, [[name, 'would-update']]]]);
    assert.equal(await docker('inspect', '--format', '{{.Id}}', name), id, 'a dry run changes nothing');
    assert.equal(await images(), before, 'nor pulls');
  });

  test('a registry that is not reachable, or a reference without a tag to compare, is reported, not thrown', async (t) => {
    // No REGISTRY_INSECURE: https to a plain-http registry fails, and the check says so.
    const app = await buildTestApp(t, { ADMIN_SERVICES: G }, { groups });
    const res = await app.inject({ method: 'POST', url: `/api/v1/updates/check?container=${name}` });
    assert.equal(res.statusCode, 200, res.body);
    const [s] = res.json<{ updates: Status[] }>().updates;
    assert.equal(s?.updateAvailable, null);
    assert.match(s?.error ?? '', /unreachable|answer/);
  });
});
