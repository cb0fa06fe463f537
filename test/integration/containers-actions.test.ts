import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { Fixture, inspectState, requireEngine } from '../helpers/docker-cli.js';

interface ActionBody {
  id: string;
  name: string;
  action: string;
  changed: boolean;
  state: string;
  durationMs: number;
}

const fixture = new Fixture();
before(requireEngine);
after(() => fixture.cleanup());

describe('container lifecycle', () => {
  test('stop, start and restart change the engine state', async (t) => {
    const app = await buildTestApp(t);
    const c = await fixture.run();

    const stop = await app.inject({ method: 'POST', url: `/api/v1/containers/${c.name}/stop?timeout=1` });
    assert.equal(stop.statusCode, 200);
    const stopped = stop.json() as ActionBody;
    assert.equal(stopped.changed, true);
    assert.equal(stopped.state, 'exited');
    assert.equal((await inspectState(c.name)).Running, false);

    const start = await app.inject({ method: 'POST', url: `/api/v1/containers/${c.id.slice(0, 16)}/start` });
    assert.equal(start.statusCode, 200);
    assert.equal((start.json() as ActionBody).state, 'running');
    const afterStart = await inspectState(c.name);
    assert.equal(afterStart.Running, true);

    const before = JSON.parse(JSON.stringify(await inspectState(c.name))) as { StartedAt?: string };
    const restart = await app.inject({ method: 'POST', url: `/api/v1/containers/${c.id}/restart?timeout=1` });
    assert.equal(restart.statusCode, 200);
    const restarted = (await inspectState(c.name)) as { Running: boolean; StartedAt?: string };
    assert.equal(restarted.Running, true);
    assert.notEqual(restarted.StartedAt, before.StartedAt, 'restart gives a new start time');
  });

  test('starting a running or stopping a stopped container succeeds without change', async (t) => {
    const app = await buildTestApp(t);
    const c = await fixture.run();
    const start = (await app.inject({ method: 'POST', url: `/api/v1/containers/${c.name}/start` })).json() as ActionBody;
    assert.equal(start.changed, false);
    assert.equal((await inspectState(c.name)).Running, true);

    await app.inject({ method: 'POST', url: `/api/v1/containers/${c.name}/stop?timeout=0` });
    const again = await app.inject({ method: 'POST', url: `/api/v1/containers/${c.name}/stop?timeout=0` });
    assert.equal(again.statusCode, 200);
    assert.equal((again.json() as ActionBody).changed, false);
    assert.equal((await inspectState(c.name)).Running, false);
  });

  test('stop honours its timeout for a process that ignores SIGTERM', async (t) => {
    const app = await buildTestApp(t);
    // The shell ignores TERM, so only the engine's SIGKILL after `timeout` ends it.
    const c = await fixture.run({ command: ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'] });
    const started = Date.now();
    const res = await app.inject({ method: 'POST', url: `/api/v1/containers/${c.name}/stop?timeout=2` });
    const took = Date.now() - started;
    assert.equal(res.statusCode, 200);
    assert.ok(took >= 1900, `waited the timeout (${took} ms)`);
    const state = await inspectState(c.name);
    assert.equal(state.Running, false);
    assert.equal(state.ExitCode, 137, 'killed after the timeout');
  });

  test('a start that the engine refuses leaves a coded error and no change', async (t) => {
    const app = await buildTestApp(t);
    // A created container whose command does not exist: the engine refuses to start it.
    const c = await fixture.run({ createOnly: true, command: ['/no/such/binary'] });
    const res = await app.inject({ method: 'POST', url: `/api/v1/containers/${c.name}/start` });
    assert.equal(res.statusCode, 409);
    const body = res.json() as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'CONTAINER_START_FAILED');
    assert.ok(!/no such file|oci runtime|exec:/i.test(body.error.message), 'the engine text does not leak');
    assert.notEqual((await inspectState(c.name)).Running, true);
  });
});
