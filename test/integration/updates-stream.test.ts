import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, listenTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { SseClient, type SseEvent } from '../helpers/sse-client.js';
import { TestRepository, testRegistry } from '../helpers/test-registry.js';
import { parseGroups } from '../../src/groups/load.js';

interface Inspect {
  Id: string;
  Image: string;
  State: { StartedAt: string; Running: boolean; Health?: { Status: string; Log: { End: string; ExitCode: number }[] } };
}
interface Member {
  id: string;
  name: string;
  outcome: string;
  error?: string;
}
interface Result {
  ok: boolean;
  groups: string[];
  steps: { group: string; step: number; members: Member[] }[];
  failure?: { group: string; step: number; containers: string[]; reason: string };
}

/**
 * Two groups: APP depends on BASE. BASE's member runs the repository's `base` tag, APP's
 * the `latest` tag, so each test can move one tag and not the other.
 */
const fixture = new Fixture();
const p = `gdm-t-upds-${fixture.runId}`;
const BASE = `updsbase-${fixture.runId}`;
const APP = `updsapp-${fixture.runId}`;
const names = { base: `${p}-base`, app: `${p}-app` };
const groups = parseGroups({
  groups: { [BASE]: { members: [{ name: names.base }] }, [APP]: { dependsOn: [BASE], members: [{ name: names.app }] } },
});
let repo: TestRepository;
let env: Record<string, string>;

const inspect = async (n: string) => JSON.parse(await docker('inspect', n))[0] as Inspect;
const imageId = (ref: string) => docker('image', 'inspect', '--format', '{{.Id}}', ref);
const healthyAt = (i: Inspect) => Math.min(...(i.State.Health?.Log ?? []).filter((l) => l.ExitCode === 0).map((l) => Date.parse(l.End)));

before(async () => {
  await requireEngine();
  repo = new TestRepository(await testRegistry(), fixture.runId);
  await repo.publish('v1', ['base', 'latest']);
  await fixture.run({ name: names.base, image: `${repo.repo}:base`, stopSignalFast: true });
  await fixture.run({ name: names.app, image: `${repo.repo}:latest`, stopSignalFast: true });
  env = { REGISTRY_INSECURE: repo.address, ADMIN_SERVICES: `${BASE},${APP}` };
});
after(async () => {
  await fixture.cleanup();
  await repo?.cleanup();
});

describe('group update with its dependencies, and its progress as Server-Sent Events', () => {
  test('withDependencies: the group it depends on is updated first, then the group; without it only the group is touched', async (t) => {
    await repo.publish('v2', ['base', 'latest']);
    const app = await buildTestApp(t, env, { groups });
    const plan = (await app.inject({ method: 'POST', url: `/api/v1/services/${APP}/update?dryRun=true` })).json<Result>();
    assert.deepEqual(plan.steps.map((s) => s.group), [APP], 'without withDependencies: the group alone');
    const before = { base: await inspect(names.base), app: await inspect(names.app) };
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${APP}/update?withDependencies=true&stepTimeout=60` });
    assert.equal(res.statusCode, 200, res.body);
    const result = res.json<Result>();
    assert.deepEqual(result.groups, [BASE, APP]);
    assert.deepEqual(result.steps.map((s) => [s.group, s.members.map((m) => [m.name, m.outcome])]), [
      [BASE, [[names.base, 'updated']]],
      [APP, [[names.app, 'updated']]],
    ]);
    const now = { base: await inspect(names.base), app: await inspect(names.app) };
    assert.equal(now.base.Image, await imageId(`${repo.repo}:base`), 'the dependency runs v2');
    assert.equal(now.app.Image, await imageId(`${repo.repo}:latest`), 'the group runs v2');
    assert.notEqual(now.base.Id, before.base.Id);
    assert.notEqual(now.app.Id, before.app.Id);
    assert.ok(Date.parse(now.app.State.StartedAt) >= healthyAt(now.base), 'the group was re-created after its dependency was healthy');
  });

  test('streamed: accepted, pulls, then per step a step event and its members; a failed step its rollback; the result last', async (t) => {
    // base moves back to v1 (an update all the same: the tag points at another image); latest to v3, which never turns healthy.
    await repo.publish('v1', ['base']);
    await repo.publish('v3', ['latest']);
    const before = { base: await inspect(names.base), app: await inspect(names.app) };
    const { base } = await listenTestApp(t, env, { groups });
    const stream = await SseClient.open(`${base}/api/v1/services/${APP}/update?withDependencies=true&stepTimeout=20`, {}, 'POST');
    t.after(() => stream.close());
    assert.equal(stream.status, 200);
    await stream.waitForEnd(120_000);
    const kinds = stream.events.map((e) => (e.event === 'progress' ? (e.data as { type: string }).type : e.event));
    // Pull lines come as the engine sends them: one run of them, right after accepted.
    const squeezed = kinds.filter((k, i) => k !== 'pull' || kinds[i - 1] !== 'pull');
    assert.deepEqual(squeezed, ['accepted', 'pull', 'step', 'member', 'step', 'rollback', 'member', 'result'], JSON.stringify(kinds));
    const progress = stream.events.filter((e) => e.event === 'progress').map((e) => e.data as Record<string, unknown>);
    const pulled = new Set(progress.filter((e) => e.type === 'pull').map((e) => e.image));
    assert.deepEqual([...pulled].sort(), [`${repo.repo}:base`, `${repo.repo}:latest`]);
    const steps = progress.filter((e) => e.type !== 'pull').map((e) => [e.type, e.group, e.step, e.outcome ?? e.containers]);
    assert.deepEqual(steps, [
      ['step', BASE, 0, [names.base]],
      ['member', BASE, 0, 'updated'],
      ['step', APP, 0, [names.app]],
      ['rollback', APP, 0, [names.app]],
      ['member', APP, 0, 'failed'],
    ]);
    const result = (stream.events.at(-1) as SseEvent).data as Result;
    assert.equal(result.ok, false);
    assert.deepEqual([result.failure?.group, result.failure?.step, result.failure?.containers], [APP, 0, [names.app]]);
    const now = { base: await inspect(names.base), app: await inspect(names.app) };
    assert.notEqual(now.base.Image, before.base.Image, 'the dependency step passed and stays');
    assert.equal(now.app.Image, before.app.Image, 'the failed step is back on v2');
    assert.equal(now.app.State.Health?.Status, 'healthy');
  });
});
