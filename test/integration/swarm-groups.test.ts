import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { requireTestEngines, dockerOn, type TestEngine } from '../helpers/test-engines.js';
import { storeRunning, SwarmFixture, untilSwarm } from '../helpers/swarm.js';
import { Fixture, waitFor } from '../helpers/docker-cli.js';
import { parseGroups } from '../../src/groups/load.js';

interface Result {
  ok: boolean;
  groups: { steps: { step: number; containers: { name: string; outcome: string; error?: string }[] }[] }[];
}

let e2: TestEngine;
let swarm: SwarmFixture;
let containers: Fixture;
let app: TestApp;
let closeApp: () => Promise<void> = async () => undefined;
let service = '';
let container = '';
let group = '';

before(async () => {
  ({ e2 } = await requireTestEngines());
  containers = new Fixture(e2.cliEnv);
  swarm = new SwarmFixture(e2, containers.runId);
  service = `gdm-t-swarm-grp-${containers.runId}`;
  container = `gdm-t-swarm-grp-c-${containers.runId}`;
  group = `swarmgrp-${containers.runId}`;
  await swarm.create({ name: service, replicas: 2 });
  await containers.run({ name: container, createOnly: true, stopSignalFast: true });
  // The service first (order 0), then the container that needs it.
  const groups = parseGroups({ groups: { [group]: { members: [{ swarm: { service }, order: 0 }, { name: container, order: 1 }] } } });
  app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { DOCKER_HOST: e2.url }, { groups });
});

after(async () => {
  await closeApp();
  await swarm?.cleanup();
  await containers?.cleanup();
});

const replicas = async () => (await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', service)).trim();

async function run(action: 'start' | 'stop'): Promise<Result> {
  const r = await app.inject({ method: 'POST', url: `/api/v1/services/${group}/${action}?stepTimeout=90` });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as Result;
}

test('group stop scales the swarm service to 0 after stopping the container; start brings back the saved count first, then the container', async () => {
  await untilSwarm(app, () => storeRunning(app, service).length === 2, 60_000, '2 running tasks');
  const started = await run('start');
  assert.ok(started.ok);

  const stopped = await run('stop');
  const outcomes = stopped.groups[0]!.steps.map((s) => s.containers.map((c) => `${c.name}:${c.outcome}`));
  assert.deepEqual(outcomes, [[`${container}:stopped`], [`local:${service}:stopped`]], 'reverse order: the container, then the service');
  assert.equal(await replicas(), '0');
  assert.deepEqual(await swarm.runningTasks(service), [], 'no task runs');
  assert.equal((await dockerOn(e2, 'inspect', '--format', '{{.State.Running}}', container)).trim(), 'false');

  const again = await run('start');
  assert.ok(again.ok);
  assert.deepEqual(
    again.groups[0]!.steps.map((s) => s.containers.map((c) => `${c.name}:${c.outcome}`)),
    [[`local:${service}:started`], [`${container}:started`]],
  );
  assert.equal(await replicas(), '2', 'the count the stop saved');
  const tasks = await waitFor(() => swarm.runningTasks(service), (ids) => ids.length === 2, 10_000, 250);
  assert.equal(tasks.length, 2, 'both tasks ran when the start answered');
  // In order: every task's container was up before the group's container started.
  const taskContainers = (await dockerOn(e2, 'ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`)).split('\n').filter(Boolean);
  const taskStarts = await Promise.all(taskContainers.map(async (id) => Date.parse((await dockerOn(e2, 'inspect', '--format', '{{.State.StartedAt}}', id)).trim())));
  const containerStart = Date.parse((await dockerOn(e2, 'inspect', '--format', '{{.State.StartedAt}}', container)).trim());
  assert.equal(taskStarts.length, 2);
  assert.ok(taskStarts.every((t) => t < containerStart), 'the service ran before the container started');
});

test('a group start names a failing swarm member with how many tasks run', async () => {
  const r = await app.inject({ method: 'POST', url: `/api/v1/services/${group}/stop` });
  assert.equal(r.statusCode, 200, r.body);
  // A drained node: no task can run, so the start must stop at the service and say so.
  const nodeId = (await dockerOn(e2, 'node', 'inspect', 'self', '--format', '{{.ID}}')).trim();
  await dockerOn(e2, 'node', 'update', '--availability', 'drain', nodeId);
  try {
    const failed = await app.inject({ method: 'POST', url: `/api/v1/services/${group}/start?stepTimeout=3` });
    assert.equal(failed.statusCode, 409);
    const body = failed.json() as { error: { code: string; details: { result: { failure: { container: string; reason: string } } } } };
    assert.equal(body.error.code, 'GROUP_OPERATION_FAILED');
    assert.equal(body.error.details.result.failure.container, `local:${service}`);
    assert.match(body.error.details.result.failure.reason, /0 of 2 tasks running/);
    assert.equal((await dockerOn(e2, 'inspect', '--format', '{{.State.Running}}', container)).trim(), 'false', 'the container after it was not started');
  } finally {
    await dockerOn(e2, 'node', 'update', '--availability', 'active', nodeId);
  }
});
