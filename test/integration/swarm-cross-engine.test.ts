import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { storeRunning, SwarmFixture, untilSwarm } from '../helpers/swarm.js';
import { docker, Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';
import { parseGroups } from '../../src/groups/load.js';

// A group whose swarm service runs on e2 (the swarm manager) and whose container runs on
// the first engine (`local`): the start order holds across engines, in both directions.

interface Result {
  ok: boolean;
  groups: { steps: { step: number; containers: { name: string; outcome: string; error?: string }[] }[] }[];
}
interface SwarmMemberView {
  engine: string;
  name: string;
  step: number;
  replicas: { desired: number; running: number };
}

let e2: TestEngine;
let swarm: SwarmFixture;
let local: Fixture;
let app: TestApp;
let closeApp: () => Promise<void> = async () => undefined;
const cleanups: (() => void)[] = [];
let service = '';
let container = '';
let serviceFirst = '';
let containerFirst = '';

before(async () => {
  await requireEngine();
  ({ e2 } = await requireTestEngines());
  local = new Fixture();
  swarm = new SwarmFixture(e2, local.runId);
  service = `gdm-t-swarm-x-${local.runId}`;
  container = `gdm-t-swarm-x-c-${local.runId}`;
  serviceFirst = `swarmx-svc-${local.runId}`;
  containerFirst = `swarmx-ctr-${local.runId}`;
  await swarm.create({ name: service, replicas: 2 });
  await local.run({ name: container, createOnly: true, stopSignalFast: true });
  const svc = { swarm: { service, engine: 'e2', replicas: 2 } };
  const ctr = { name: container, engine: 'local' };
  const groups = parseGroups({
    groups: {
      [serviceFirst]: { members: [{ ...svc, order: 0 }, { ...ctr, order: 1 }] },
      [containerFirst]: { members: [{ ...ctr, order: 0 }, { ...svc, order: 1 }] },
    },
  });
  const file = writeEnginesFile((fn) => cleanups.push(fn), [e2]);
  app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { ENGINES_FILE: file }, { groups });
});

after(async () => {
  await closeApp();
  await swarm?.cleanup();
  await local?.cleanup();
  for (const fn of cleanups) fn();
});

const replicas = async () => (await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', service)).trim();
const containerRunning = async () => (await docker('inspect', '--format', '{{.State.Running}}', container)).trim() === 'true';
const containerStartedAt = async () => Date.parse((await docker('inspect', '--format', '{{.State.StartedAt}}', container)).trim());
/** Start times of the service's running task containers, from e2's own inspect. */
async function taskStarts(): Promise<number[]> {
  const ids = (await dockerOn(e2, 'ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`)).split('\n').filter(Boolean);
  return Promise.all(ids.map(async (id) => Date.parse((await dockerOn(e2, 'inspect', '--format', '{{.State.StartedAt}}', id)).trim())));
}

async function run(group: string, action: 'start' | 'stop'): Promise<Result> {
  const r = await app.inject({ method: 'POST', url: `/api/v1/services/${group}/${action}?stepTimeout=90&timeout=1` });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as Result;
}
const outcomes = (r: Result) => r.groups[0]!.steps.map((s) => s.containers.map((c) => `${c.name}:${c.outcome}`));

async function stopBoth(group: string): Promise<void> {
  const stopped = await run(group, 'stop');
  assert.ok(stopped.ok, JSON.stringify(stopped));
  assert.equal(await replicas(), '0', 'the service is scaled to 0');
  assert.deepEqual(await swarm.runningTasks(service), [], 'no task runs (docker service ps on e2)');
  assert.equal(await containerRunning(), false, 'the container on the first engine is stopped');
}

test('a swarm service on e2, then a container on the first engine: stop in reverse, start the service first', async () => {
  await untilSwarm(app, () => storeRunning(app, service, 'e2').length === 2, 60_000, '2 running tasks', 'e2');
  const first = await run(serviceFirst, 'start');
  assert.ok(first.ok, JSON.stringify(first));

  const stopped = await run(serviceFirst, 'stop');
  assert.deepEqual(outcomes(stopped), [[`${container}:stopped`], [`e2:${service}:stopped`]], 'reverse order: the container, then the service');
  await stopBoth(serviceFirst);

  const started = await run(serviceFirst, 'start');
  assert.ok(started.ok, JSON.stringify(started));
  assert.deepEqual(outcomes(started), [[`e2:${service}:started`], [`${container}:started`]]);
  assert.equal(await replicas(), '2');
  const tasks = await waitFor(() => swarm.runningTasks(service), (ids) => ids.length === 2, 10_000, 250);
  assert.equal(tasks.length, 2, 'both tasks ran when the start answered');
  const starts = await taskStarts();
  const containerStart = await containerStartedAt();
  assert.equal(starts.length, 2);
  assert.ok(starts.every((t) => t < containerStart), `the tasks on e2 (${starts.map((t) => new Date(t).toISOString())}) ran before the container started (${new Date(containerStart).toISOString()})`);
});

test('the reverse order: the container on the first engine starts before the service on e2 is scaled up', async () => {
  await stopBoth(containerFirst);
  const started = await run(containerFirst, 'start');
  assert.ok(started.ok, JSON.stringify(started));
  assert.deepEqual(outcomes(started), [[`${container}:started`], [`e2:${service}:started`]]);
  assert.equal(await containerRunning(), true);
  assert.equal((await swarm.runningTasks(service)).length, 2, 'the service runs its 2 tasks');
  const containerStart = await containerStartedAt();
  const starts = await taskStarts();
  assert.ok(starts.every((t) => t > containerStart), 'the container started before the tasks on e2');
});

test('group views list the swarm members (engine, replicas desired/running) next to the containers', async () => {
  await untilSwarm(app, () => storeRunning(app, service, 'e2').length === 2, 30_000, '2 running tasks', 'e2');
  const details = await app.inject({ url: `/api/v1/services/${serviceFirst}`, headers: app.authHeaders });
  assert.equal(details.statusCode, 200, details.body);
  const body = details.json() as { status: string; members: { total: number; running: number }; memberList: { name: string; step: number }[]; swarmServices: SwarmMemberView[] };
  assert.deepEqual(body.memberList.map((m) => [m.name, m.step]), [[container, 1]]);
  assert.deepEqual(
    body.swarmServices.map((s) => ({ engine: s.engine, name: s.name, step: s.step, replicas: s.replicas })),
    [{ engine: 'e2', name: service, step: 0, replicas: { desired: 2, running: 2 } }],
  );
  assert.equal(body.status, 'running', 'the service and the container run');
  assert.deepEqual([body.members.total, body.members.running], [2, 2], 'a swarm service counts as one member');

  const list = await app.inject({ url: '/api/v1/services', headers: app.authHeaders });
  const listed = (list.json() as { groups: { name: string; swarmServices: SwarmMemberView[] }[] }).groups.find((g) => g.name === containerFirst);
  assert.deepEqual(listed?.swarmServices.map((s) => `${s.engine}:${s.name} ${s.replicas.running}/${s.replicas.desired}`), [`e2:${service} 2/2`]);
});
