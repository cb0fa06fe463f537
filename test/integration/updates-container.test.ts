import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody } from '../helpers/app.js';
import { docker, Fixture, requireEngine, TEST_LABEL } from '../helpers/docker-cli.js';
import { TestRepository, testRegistry } from '../helpers/test-registry.js';

interface Inspect {
  Id: string;
  Name: string;
  Image: string;
  State: { Running: boolean; StartedAt: string; Health?: { Status: string } };
  Config: { Env: string[]; Labels: Record<string, string>; Image: string };
  HostConfig: { RestartPolicy: unknown; PortBindings: unknown };
  Mounts: { Type: string; Name?: string; Destination: string }[];
}
interface Result {
  ok: boolean;
  group: string;
  pulled: { engine: string; image: string; imageId: string }[];
  steps: { members: { id: string; name: string; outcome: string; previousId?: string; toImageId?: string; error?: string }[] }[];
  failure?: { containers: string[]; reason: string };
}

/** One container outside any group, updated on its own (EXECUTE). */
const fixture = new Fixture();
const name = `gdm-t-updone-${fixture.runId}`;
const vol = `gdm-t-updone-${fixture.runId}-vol`;
let repo: TestRepository;
let env: Record<string, string>;

const inspect = async (n: string) => JSON.parse(await docker('inspect', n))[0] as Inspect;
const imageId = (ref: string) => docker('image', 'inspect', '--format', '{{.Id}}', ref);
const kept = (i: Inspect) => ({ name: i.Name, env: i.Config.Env, labels: i.Config.Labels, ref: i.Config.Image, restart: i.HostConfig.RestartPolicy, mounts: i.Mounts.map((m) => [m.Type, m.Name, m.Destination]) });
/** Every container of this run, by name (the parked and temporary ones of a re-create must be gone). */
const mine = async () => (await docker('ps', '-a', '--filter', `label=${TEST_LABEL}=${fixture.runId}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);

before(async () => {
  await requireEngine();
  repo = new TestRepository(await testRegistry(), fixture.runId);
  await repo.publish('v1', ['latest']);
  await docker('volume', 'create', '--label', `${TEST_LABEL}=${fixture.runId}`, vol);
  await fixture.run({ name, image: `${repo.repo}:latest`, env: { MODE: 'solo' }, labels: { role: 'solo' }, stopSignalFast: true, extraArgs: ['-v', `${vol}:/data`, '--restart', 'on-failure:2'] });
  env = { REGISTRY_INSECURE: repo.address };
});
after(async () => {
  await fixture.cleanup();
  await docker('volume', 'rm', vol).catch(() => undefined);
  await repo?.cleanup();
});

describe('POST /api/v1/containers/{id}/update (not a dry run)', () => {
  test('v1 → v2: pulled, re-created on v2 with its settings, running and healthy; the old container is gone', async (t) => {
    const before = await inspect(name);
    await repo.publish('v2', ['latest']);
    const app = await buildTestApp(t, env);
    const res = await app.inject({ method: 'POST', url: `/api/v1/containers/${name}/update?stepTimeout=60` });
    assert.equal(res.statusCode, 200, res.body);
    const result = res.json<Result>();
    const v2 = await imageId(`${repo.repo}:latest`);
    assert.deepEqual(result.pulled, [{ engine: 'local', image: `${repo.repo}:latest`, imageId: v2 }]);
    const [m] = result.steps[0]?.members ?? [];
    const now = await inspect(name);
    assert.deepEqual([m?.outcome, m?.id, m?.previousId, m?.toImageId], ['updated', now.Id, before.Id, v2]);
    assert.equal(now.Image, v2, 'the engine runs v2 under the same name');
    assert.notEqual(now.Id, before.Id);
    assert.equal(now.State.Running, true);
    assert.equal(now.State.Health?.Status, 'healthy');
    assert.deepEqual(kept(now), kept(before), 'name, env, labels, image reference, restart policy and volume as they were');
    assert.deepEqual(await mine(), [name], 'no parked or temporary container is left');
    await assert.rejects(docker('inspect', before.Id), 'the old container was removed');
    const audit = (await app.inject({ url: '/api/v1/audit?action=UPDATE%20recreate' })).json<{ entries: { target: string; outcome: string }[] }>();
    assert.deepEqual(audit.entries.map((e) => [e.target, e.outcome]), [[name, 'allowed']]);
  });

  test('v2 → v3 (failing healthcheck): the gate fails, the v2 container is back under its name, running and healthy', async (t) => {
    const before = await inspect(name);
    await repo.publish('v3', ['latest']);
    const app = await buildTestApp(t, env);
    const res = await app.inject({ method: 'POST', url: `/api/v1/containers/${before.Id.slice(0, 12)}/update?stepTimeout=20` });
    assert.equal(res.statusCode, 409, res.body);
    const body = res.json<ErrorBody & { error: { details: { result: Result } } }>();
    assert.equal(body.error.code, 'UPDATE_FAILED');
    const result = body.error.details.result;
    assert.deepEqual(result.failure?.containers, [name]);
    assert.match(result.failure?.reason ?? '', /not up after 20 s \(health unhealthy/);
    const [m] = result.steps[0]?.members ?? [];
    assert.equal(m?.outcome, 'failed');
    assert.match(m?.error ?? '', /; put back on its previous image$/);
    assert.equal(m?.id, before.Id, 'the container now is the one from before');
    const now = await inspect(name);
    assert.equal(now.Id, before.Id, 'the same v2 container, not a copy');
    assert.equal(now.Image, before.Image, 'on v2');
    assert.equal(now.State.Running, true);
    assert.equal(now.State.Health?.Status, 'healthy');
    assert.notEqual(now.State.StartedAt, before.State.StartedAt, 'it was stopped and started again');
    assert.deepEqual(kept(now), kept(before));
    assert.deepEqual(await mine(), [name], 'the v3 container is gone');
    const audit = (await app.inject({ url: '/api/v1/audit?limit=50' })).json<{ entries: { action: string; target: string; outcome: string }[] }>();
    const rows = audit.entries.filter((e) => e.action.startsWith('UPDATE ')).map((e) => [e.action, e.target, e.outcome]);
    assert.deepEqual(rows.sort(), [['UPDATE recreate', name, 'failed'], ['UPDATE rollback', name, 'allowed']]);
  });
});
