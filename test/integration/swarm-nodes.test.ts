import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { requireTestEngines, dockerOn, type TestEngine } from '../helpers/test-engines.js';
import { storeRunning, SwarmFixture, untilSwarm } from '../helpers/swarm.js';
import { waitFor } from '../helpers/docker-cli.js';

const runId = randomBytes(4).toString('hex');
const name = `gdm-t-swarm-node-${runId}`;
let e2: TestEngine;
let fixture: SwarmFixture;
let app: TestApp;
let closeApp: () => Promise<void> = async () => undefined;
let nodeId = '';

before(async () => {
  ({ e2 } = await requireTestEngines());
  fixture = new SwarmFixture(e2, runId);
  nodeId = (await dockerOn(e2, 'node', 'inspect', 'self', '--format', '{{.ID}}')).trim();
  await fixture.create({ name, replicas: 2 });
  app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { DOCKER_HOST: e2.url });
});

after(async () => {
  await closeApp();
  // Other tests share e2: its one node is active again whatever happened here.
  if (nodeId) await dockerOn(e2, 'node', 'update', '--availability', 'active', nodeId);
  await fixture?.cleanup();
});

const availability = async () => (await dockerOn(e2, 'node', 'inspect', nodeId, '--format', '{{.Spec.Availability}}')).trim();

test('nodes are listed with role, availability, state, engine version and resources', async () => {
  const r = await app.inject('/api/v1/swarm/nodes');
  assert.equal(r.statusCode, 200);
  const node = (r.json() as { nodes: { id: string; role: string; availability: string; state: string; leader: boolean; engineVersion: string; nanoCpus: number; memoryBytes: number }[] }).nodes.find((n) => n.id === nodeId);
  assert.ok(node);
  assert.deepEqual([node.role, node.availability, node.state, node.leader], ['manager', 'active', 'ready', true]);
  assert.ok(node.engineVersion && node.nanoCpus > 0 && node.memoryBytes > 0);
});

test('drain the node through the API: its tasks leave; activate: they come back', async () => {
  await untilSwarm(app, () => storeRunning(app, name).length === 2, 60_000, '2 running tasks');
  const developer = await app.tokenFor('developer');
  const refused = await app.inject({ method: 'POST', url: `/api/v1/swarm/nodes/${nodeId}/drain`, headers: { authorization: `Bearer ${developer}` } });
  assert.equal(refused.statusCode, 403, 'drain is an admin change (WRITE)');
  assert.equal(await availability(), 'active');

  const drained = await app.inject({ method: 'POST', url: `/api/v1/swarm/nodes/${nodeId.slice(0, 8)}/drain` });
  assert.equal(drained.statusCode, 200, drained.body);
  assert.equal(await availability(), 'drain');
  const gone = await waitFor(() => fixture.runningTasks(name), (ids) => ids.length === 0, 60_000, 250);
  assert.deepEqual(gone, [], 'docker service ps: no task runs on a drained node');
  await untilSwarm(app, () => storeRunning(app, name).length === 0, 30_000, 'no running task in the store');
  const service = (await app.inject(`/api/v1/swarm/services/${name}`)).json() as { replicas: { desired: number; running: number } };
  assert.deepEqual(service.replicas, { desired: 2, running: 0 });

  const activated = await app.inject({ method: 'POST', url: `/api/v1/swarm/nodes/${nodeId}/activate` });
  assert.equal(activated.statusCode, 200, activated.body);
  assert.equal(await availability(), 'active');
  const back = await waitFor(() => fixture.runningTasks(name), (ids) => ids.length === 2, 60_000, 250);
  assert.equal(back.length, 2, 'the tasks run again');
});

test('a stale node version is refused with 409 SWARM_VERSION_CONFLICT', async () => {
  const node = (await app.inject('/api/v1/swarm/nodes')).json() as { nodes: { id: string; version: number }[] };
  const version = node.nodes.find((n) => n.id === nodeId)!.version;
  const r = await app.inject({ method: 'POST', url: `/api/v1/swarm/nodes/${nodeId}/drain?version=${version - 1}` });
  assert.equal(r.statusCode, 409);
  assert.equal((r.json() as ErrorBody).error.code, 'SWARM_VERSION_CONFLICT');
  assert.equal(await availability(), 'active');
});
