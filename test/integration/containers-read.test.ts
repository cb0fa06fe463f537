import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';

interface Summary {
  id: string;
  name: string;
  state: string;
  health: string;
  labels: Record<string, string>;
}

const fixture = new Fixture();
let running: { id: string; name: string };
let stopped: { id: string; name: string };
let healthy: { id: string; name: string };

before(async () => {
  await requireEngine();
  [running, stopped, healthy] = await Promise.all([
    fixture.run({ labels: { 'gdm.tier': 'alpha', 'gdm.group': 'foundation' }, env: { SECRET_TOKEN: 'hunter2' } }),
    fixture.run({ createOnly: true, labels: { 'gdm.tier': 'beta' } }),
    fixture.run({ healthCmd: 'true' }),
  ]);
});
after(() => fixture.cleanup());

describe('GET /api/v1/containers', () => {
  test('lists what docker ps -a lists, with the same states', async (t) => {
    const app = await buildTestApp(t);
    const res = await app.inject({ url: '/api/v1/containers' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { containers: Summary[]; total: number };
    const cli = (await docker('ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.State}}'))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '));
    assert.equal(body.total, body.containers.length);
    assert.deepEqual(new Set(body.containers.map((c) => c.id)), new Set(cli.map(([id]) => id)));
    const states = new Map(body.containers.map((c) => [c.id, c.state]));
    for (const [id, state] of cli) assert.equal(states.get(id as string), state, `state of ${id}`);
  });

  test('all=false lists running containers only, like docker ps', async (t) => {
    const app = await buildTestApp(t);
    const body = (await app.inject({ url: '/api/v1/containers?all=false' })).json() as { containers: Summary[] };
    const cli = (await docker('ps', '-q', '--no-trunc')).split('\n').filter(Boolean);
    assert.deepEqual(new Set(body.containers.map((c) => c.id)), new Set(cli));
    assert.ok(body.containers.some((c) => c.id === running.id));
    assert.ok(!body.containers.some((c) => c.id === stopped.id));
  });

  test('filters by status, name and label', async (t) => {
    const app = await buildTestApp(t);
    const byStatus = (await app.inject({ url: `/api/v1/containers?status=created&label=gdm.test=${fixture.runId}` })).json() as {
      containers: Summary[];
    };
    assert.deepEqual(byStatus.containers.map((c) => c.name), [stopped.name]);

    const byName = (await app.inject({ url: `/api/v1/containers?name=${running.name.toUpperCase()}` })).json() as { containers: Summary[] };
    assert.deepEqual(byName.containers.map((c) => c.name), [running.name]);

    const byLabel = (await app.inject({ url: '/api/v1/containers?label=gdm.tier=beta' })).json() as { containers: Summary[] };
    assert.deepEqual(byLabel.containers.map((c) => c.name), [stopped.name]);

    const byKey = (await app.inject({ url: `/api/v1/containers?label=gdm.tier&label=gdm.test=${fixture.runId}` })).json() as {
      containers: Summary[];
    };
    assert.deepEqual(byKey.containers.map((c) => c.name).sort(), [running.name, stopped.name].sort());

    const several = (await app.inject({ url: `/api/v1/containers?status=created&status=running&label=gdm.test=${fixture.runId}` })).json() as {
      containers: Summary[];
    };
    assert.equal(several.containers.length, 3);
  });
});

describe('GET /api/v1/containers/{id}', () => {
  test('finds a container by full id, unique prefix and name alike', async (t) => {
    const app = await buildTestApp(t);
    for (const ref of [running.id, running.id.slice(0, 12), running.name]) {
      const res = await app.inject({ url: `/api/v1/containers/${ref}` });
      assert.equal(res.statusCode, 200, `by ${ref}`);
      assert.equal((res.json() as { id: string }).id, running.id);
    }
  });

  test('reports state, image, labels and env names; env values to admins only', async (t) => {
    const app = await buildTestApp(t);
    const asAdmin = (await app.inject({ url: `/api/v1/containers/${running.name}` })).json() as { env: { name: string; value?: string }[]; group: string };
    assert.equal(asAdmin.env.find((e) => e.name === 'SECRET_TOKEN')?.value, 'hunter2');
    assert.equal(asAdmin.group, 'foundation');
    const userToken = await app.tokenFor('user');
    const d = (await app.inject({ url: `/api/v1/containers/${running.name}`, headers: { authorization: `Bearer ${userToken}` } })).json() as {
      state: string;
      running: boolean;
      image: string;
      startedAt: string | null;
      labels: Record<string, string>;
      env: { name: string; value?: string }[];
    };
    const cli = JSON.parse(await docker('inspect', '--format', '{{json .State}}', running.name)) as { StartedAt: string };
    assert.equal(d.state, 'running');
    assert.equal(d.running, true);
    assert.equal(d.startedAt, cli.StartedAt);
    assert.equal(d.image, 'gdm-test-busybox:latest');
    assert.equal(d.labels['gdm.tier'], 'alpha');
    const secret = d.env.find((e) => e.name === 'SECRET_TOKEN');
    assert.ok(secret, 'env names are listed');
    assert.equal(secret.value, undefined, 'env values are hidden');
    assert.ok(!JSON.stringify(d).includes('hunter2'));
  });

  test('reports health from the healthcheck', async (t) => {
    const app = await buildTestApp(t);
    const d = await waitFor(
      async () => (await app.inject({ url: `/api/v1/containers/${healthy.name}` })).json() as { health: string; healthcheck: unknown },
      (v) => v.health === 'healthy',
      15_000,
      250,
    );
    assert.equal(d.health, 'healthy');
    assert.notEqual(d.healthcheck, null);
    const listed = (await app.inject({ url: `/api/v1/containers?name=${healthy.name}` })).json() as { containers: Summary[] };
    assert.equal(listed.containers[0]?.health, 'healthy');
  });

  test('a created container has null start time and exit code 0', async (t) => {
    const app = await buildTestApp(t);
    const d = (await app.inject({ url: `/api/v1/containers/${stopped.id}` })).json() as { state: string; startedAt: null; exitCode: number };
    assert.equal(d.state, 'created');
    assert.equal(d.startedAt, null);
    assert.equal(d.exitCode, 0);
  });
});
