import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { privateGroups } from '../helpers/private-groups.js';
import { requireTestEngines, dockerOn, type TestEngine } from '../helpers/test-engines.js';
import { storeRunning, SwarmFixture, untilSwarm } from '../helpers/swarm.js';
import { waitFor } from '../helpers/docker-cli.js';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SseClient } from '../helpers/sse-client.js';

interface Service {
  engine: string;
  id: string;
  name: string;
  version: number;
  stack: string | null;
  replicas: { desired: number; running: number };
  groups: string[];
  canRollback: boolean;
  tasks?: { id: string; state: string; desiredState: string; node: string | null; slot: number | null }[];
}

const runId = randomBytes(4).toString('hex');
const name = `gdm-t-swarm-${runId}`;
const stack = `gdmt-stack-${runId}`;
const groups = privateGroups(runId, ['svc', 'other']);
let e2: TestEngine;
let fixture: SwarmFixture;
let app: TestApp;
let closeApp: () => Promise<void> = async () => undefined;

before(async () => {
  ({ e2 } = await requireTestEngines());
  fixture = new SwarmFixture(e2, runId);
  await fixture.create({ name, replicas: 2, labels: { 'gdm.group': groups.group('svc'), 'com.docker.stack.namespace': stack } });
  // Single engine until p14: the whole app talks to the swarm engine.
  app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { DOCKER_HOST: e2.url, ...groups.env });
});

after(async () => {
  await closeApp();
  await fixture?.cleanup();
  groups.remove();
});

async function details(token?: string): Promise<{ status: number; body: Service & ErrorBody }> {
  const r = await app.inject({ url: `/api/v1/swarm/services/${name}`, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  return { status: r.statusCode, body: r.json() };
}

async function post(path: string, body?: unknown, token?: string) {
  const r = await app.inject({
    method: 'POST',
    url: `/api/v1/swarm/services/${path}`,
    ...(body === undefined ? {} : { payload: body as object }),
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  return { status: r.statusCode, body: r.json() as Service & ErrorBody & { version: number } };
}

describe('swarm services on a swarm manager engine', { concurrency: false }, () => {
  let firstVersion = 0;

  test('a service with 2 replicas is listed 2/2 with its running tasks, in its stack', async () => {
    await untilSwarm(app, () => storeRunning(app, name).length === 2, 60_000, '2 running tasks');
    const list = (await app.inject('/api/v1/swarm/services')).json() as { engines: { manager: boolean }[]; services: Service[] };
    assert.equal(list.engines[0]?.manager, true);
    const listed = list.services.find((s) => s.name === name);
    assert.ok(listed, 'listed');
    assert.deepEqual(listed.replicas, { desired: 2, running: 2 });
    assert.equal(listed.engine, 'local');
    assert.deepEqual(listed.groups, [groups.group('svc')]);
    const { body } = await details();
    const running = body.tasks?.filter((t) => t.state === 'running') ?? [];
    assert.equal(running.length, 2);
    assert.ok(running.every((t) => t.node), 'each task names its node');
    assert.deepEqual(running.map((t) => t.id).sort(), (await fixture.runningTasks(name)).sort(), 'the tasks the engine reports');
    firstVersion = body.version;
    const stacks = (await app.inject('/api/v1/swarm/stacks')).json() as { stacks: { name: string; serviceNames: string[] }[] };
    assert.deepEqual(stacks.stacks.find((s) => s.name === stack)?.serviceNames, [name]);
  });

  test('scale to 3 through the API: the engine runs 3 tasks', async () => {
    const r = await post(`${name}/scale`, { replicas: 3 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const engineTasks = await waitFor(() => fixture.runningTasks(name), (ids) => ids.length === 3, 60_000, 250);
    assert.equal(engineTasks.length, 3, 'docker service ps shows 3 running tasks');
    assert.equal((await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', name)).trim(), '3');
    await untilSwarm(app, () => storeRunning(app, name).length === 3, 30_000, '3 running in the store');
    assert.deepEqual((await details()).body.replicas, { desired: 3, running: 3 });
  });

  test('a stale update (an old version index) is refused with 409 SWARM_VERSION_CONFLICT and changes nothing', async () => {
    const r = await post(`${name}/scale`, { replicas: 1, version: firstVersion });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'SWARM_VERSION_CONFLICT');
    assert.match(r.body.error.message, /stale/);
    assert.equal((await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', name)).trim(), '3');
  });

  test('force update (restart) replaces every task: all new task ids', async () => {
    const before = await fixture.runningTasks(name);
    assert.equal(before.length, 3);
    const r = await post(`${name}/restart`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.TaskTemplate.ForceUpdate}}', name)).trim(), '1');
    await untilSwarm(app, () => {
      const now = storeRunning(app, name);
      return now.length === 3 && now.every((id) => !before.includes(id));
    }, 90_000, 'three new running tasks');
    const after = await waitFor(() => fixture.runningTasks(name), (ids) => ids.length === 3 && ids.every((id) => !before.includes(id)), 30_000, 250);
    assert.equal(after.filter((id) => before.includes(id)).length, 0, 'no old task runs');
    assert.equal(after.length, 3);
  });

  test('rollback returns to the previous spec', async () => {
    await untilSwarm(app, () => app.swarm.engines.all[0]!.store.services().find((s) => s.name === name)?.updateStatus?.state === 'completed', 60_000, 'update completed');
    assert.equal((await details()).body.canRollback, true);
    const r = await post(`${name}/rollback`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // The previous spec is the scaled one without the forced update.
    assert.equal((await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.TaskTemplate.ForceUpdate}}', name)).trim(), '0');
    assert.equal((await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', name)).trim(), '3');
    await untilSwarm(app, () => {
      const s = app.swarm.engines.all[0]!.store.services().find((x) => x.name === name);
      return s?.updateStatus?.state === 'rollback_completed' && storeRunning(app, name).length === 3;
    }, 90_000, 'rollback completed');
  });

  test("stats of the service's tasks on the engine's node, with totals", async () => {
    const r = await app.inject(`/api/v1/swarm/services/${name}/stats`);
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json() as { tasks: { taskId: string; memoryUsage: number }[]; totals: { memoryUsage: number } };
    assert.deepEqual(body.tasks.map((t) => t.taskId).sort(), storeRunning(app, name).sort(), 'every running task');
    assert.ok(body.tasks.every((t) => t.memoryUsage > 0));
    assert.equal(body.totals.memoryUsage, body.tasks.reduce((sum, t) => sum + t.memoryUsage, 0));
  });

  test('service logs: every task, each line with its task and node; follow streams them', async () => {
    const r = await app.inject(`/api/v1/swarm/services/${name}/logs?tail=50`);
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json() as { lines: { text: string; taskId: string | null; node: string | null }[] };
    const hello = body.lines.filter((l) => l.text === 'hello-from-task');
    assert.ok(hello.length >= 3, `a line from each task (${JSON.stringify(body.lines.slice(0, 3))})`);
    const hostname = (await dockerOn(e2, 'node', 'inspect', 'self', '--format', '{{.Description.Hostname}}')).trim();
    assert.ok(hello.every((l) => l.taskId && l.node === hostname), 'task and node on each line');
    // Follow: a task started now writes its line into the open stream.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const known = new Set(hello.map((l) => l.taskId));
    const stream = await SseClient.open(`http://127.0.0.1:${port}/api/v1/swarm/services/${name}/logs?follow=true&tail=0`, app.authHeaders);
    try {
      assert.equal(stream.status, 200);
      await stream.waitFor((e) => e.event === 'open');
      assert.equal((await post(`${name}/scale`, { replicas: 4 })).status, 200);
      const line = await stream.waitFor((e) => e.event === 'log' && !known.has((e.data as { taskId: string }).taskId), 60_000, 'a line of the new task');
      const data = line.data as { text: string; node: string; taskId: string };
      assert.equal(data.node, hostname);
      assert.ok(storeRunning(app, name).includes(data.taskId) || app.swarm.engines.all[0]!.store.tasks().some((t) => t.id === data.taskId), 'a task of the service');
    } finally {
      stream.close();
    }
    assert.equal((await post(`${name}/scale`, { replicas: 3 })).status, 200);
    await untilSwarm(app, () => storeRunning(app, name).length === 3, 30_000, 'back to 3');
  });

  test('RBAC: outside the service group the service, its tasks and logs are 404; a reader may not scale', async () => {
    const outsider = await app.tokenFor('developer', { sub: 'outsider', groups: [groups.group('other')] });
    const member = await app.tokenFor('developer', { sub: 'member', groups: [groups.group('svc')] });
    const reader = await app.tokenFor('user', { sub: 'reader', groups: [groups.group('svc')] });
    assert.equal((await details(outsider)).status, 404);
    assert.equal((await details(outsider)).body.error.code, 'SWARM_SERVICE_NOT_FOUND');
    const logs = await app.inject({ url: `/api/v1/swarm/services/${name}/logs`, headers: { authorization: `Bearer ${outsider}` } });
    assert.equal(logs.statusCode, 404);
    const stats = await app.inject({ url: `/api/v1/swarm/services/${name}/stats`, headers: { authorization: `Bearer ${outsider}` } });
    assert.equal(stats.statusCode, 404);
    assert.equal((await post(`${name}/scale`, { replicas: 1 }, outsider)).status, 404);
    const list = (await app.inject({ url: '/api/v1/swarm/services', headers: { authorization: `Bearer ${outsider}` } })).json() as { services: Service[] };
    assert.equal(list.services.some((s) => s.name === name), false, 'absent from the list');
    const byId = await app.inject({ url: `/api/v1/swarm/services/${(await details()).body.id.slice(0, 6)}`, headers: { authorization: `Bearer ${outsider}` } });
    assert.equal(byId.statusCode, 404, 'by id prefix too');
    assert.equal((await details(member)).status, 200);
    assert.equal((await post(`${name}/scale`, { replicas: 3 }, reader)).status, 403);
    assert.equal((await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', name)).trim(), '3', 'nothing changed');
  });

  test('every change is in the audit log with its target', async () => {
    const audit = (await app.inject('/api/v1/audit?limit=50')).json() as { entries: { action: string; target: string | null; status: number; details?: { body?: unknown } }[] };
    const scale = audit.entries.find((e) => e.action === 'POST /api/v1/swarm/services/:ref/scale' && e.status === 200);
    assert.ok(scale, 'scale audited');
    assert.equal(scale.target, name);
    assert.deepEqual(scale.details?.body, { replicas: 3 });
    assert.ok(audit.entries.some((e) => e.action === 'POST /api/v1/swarm/services/:ref/scale' && e.status === 409), 'the stale one too');
    assert.ok(audit.entries.some((e) => e.action === 'POST /api/v1/swarm/services/:ref/rollback'));
  });
});
