import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { SYSTEM_PRINCIPAL } from '../../src/access/principal.js';
import { ContainerService } from '../../src/containers/container-service.js';
import { ContainerStore, DEFAULT_STORE_OPTIONS, type ContainerChange } from '../../src/containers/container-store.js';
import { mergedOver, unitOver } from '../helpers/engine-units.js';
import { recordFromEngine, type ContainerRecord } from '../../src/docker/container-record.js';
import type { DockerEngine } from '../../src/docker/engine.js';
import type { EngineContainerDetails } from '../../src/docker/types.js';

const ID = 'e'.repeat(64);
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * An engine holding one container that counts its inspects and, like the real one, reports
 * an action on its events stream: a stop as kill, die, stop; a start as start; a restart as
 * kill, die, stop, start, restart. `quiet` keeps the stream silent (an events stream that
 * lags behind).
 */
function fakeEngine(initial: 'running' | 'exited') {
  const events = new PassThrough();
  let state: string = initial;
  let startedAt = '2024-05-01T09:00:00.000000001Z';
  let starts = 1;
  const counts = { inspects: 0 };
  const fake = { quiet: false };
  const details = (): EngineContainerDetails => ({
    Id: ID,
    Name: '/svc',
    Created: '2024-05-01T08:59:59Z',
    RestartCount: 0,
    Image: 'sha256:' + 'd'.repeat(64),
    State: { Status: state, Running: state === 'running', Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: startedAt, FinishedAt: ZERO_TIME },
    Config: { Image: 'busybox', Env: [], Labels: {}, Tty: false, Cmd: ['sleep'], Entrypoint: null },
    HostConfig: { RestartPolicy: { Name: 'no' } },
    Mounts: [],
    NetworkSettings: { Ports: {}, Networks: {} },
  });
  // One chunk per action, as the engine's stream often delivers a burst.
  const send = (...actions: string[]) => {
    if (!fake.quiet) events.write(actions.map((a) => `${JSON.stringify({ Type: 'container', Action: a, Actor: { ID, Attributes: {} }, time: 0 })}\n`).join(''));
  };
  const start = () => {
    state = 'running';
    startedAt = `2024-05-01T09:0${starts++}:00.000000001Z`;
  };
  const engine = {
    ping: async () => undefined,
    info: async () => ({ version: 'fake', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '' }),
    containerEvents: async () => events,
    listContainers: async () => [{ id: ID, name: 'svc', state, status: state === 'running' ? 'Up 1 second' : 'Exited (0)' }],
    inspectContainer: async (id: string): Promise<ContainerRecord> => {
      assert.equal(id, ID);
      counts.inspects++;
      return recordFromEngine(details());
    },
    startContainer: async () => {
      if (state === 'running') return false;
      start();
      send('start');
      return true;
    },
    stopContainer: async () => {
      if (state !== 'running') return false;
      state = 'exited';
      send('kill', 'die', 'stop');
      return true;
    },
    restartContainer: async () => {
      start();
      send('kill', 'die', 'stop', 'start', 'restart');
    },
  } as unknown as DockerEngine;
  return {
    engine,
    counts,
    fake,
    /** The container changes behind the store's back: no event yet. */
    startedElsewhere: () => start(),
    send,
  };
}

async function setUp(t: { after: (fn: () => Promise<void>) => void }, initial: 'running' | 'exited', reflectTimeoutMs?: number) {
  const fake = fakeEngine(initial);
  const store = new ContainerStore(fake.engine, { ...DEFAULT_STORE_OPTIONS, resyncIntervalMs: 3_600_000 });
  const changes: ContainerChange[] = [];
  store.on('change', (c) => changes.push(c));
  store.start();
  t.after(() => store.close());
  await store.ready();
  fake.counts.inspects = 0; // the initial sync (its inspect, its "added") is not the action's
  changes.length = 0;
  const service = new ContainerService(mergedOver(unitOver(fake.engine, store)), reflectTimeoutMs);
  return { ...fake, store, changes, service };
}

describe('ContainerService actions: the store has one writer, its events loop', () => {
  test('a stop answers once the store shows it, and adds no inspect of its own (one per stop, was two)', async (t) => {
    const s = await setUp(t, 'running');
    const result = await s.service.act(ID, 'stop', SYSTEM_PRINCIPAL);
    assert.equal(result.state, 'exited');
    assert.equal(result.changed, true);
    // Read-your-writes: the store already shows it, through the engine's own events.
    assert.equal(s.store.summary(ID)?.state, 'exited');
    assert.deepEqual(
      s.changes.map((c) => `${c.action}:${c.container?.state}`),
      ['kill:exited', 'die:exited', 'stop:exited'],
    );
    assert.equal(s.counts.inspects, 1, 'the store inspects once for kill, die, stop; the action inspects nothing');
  });

  test('start and restart answer once the store shows the new start', async (t) => {
    const s = await setUp(t, 'exited');
    const before = s.store.record(ID)?.startedAt;
    const started = await s.service.act(ID, 'start', SYSTEM_PRINCIPAL);
    assert.equal(started.state, 'running');
    assert.equal(s.store.summary(ID)?.state, 'running');
    const afterStart = s.store.record(ID)?.startedAt;
    assert.notEqual(afterStart, before);
    const restarted = await s.service.act(ID, 'restart', SYSTEM_PRINCIPAL);
    assert.equal(restarted.state, 'running');
    assert.notEqual(s.store.record(ID)?.startedAt, afterStart, 'the store shows the restart, not the start before it');
    assert.equal(s.counts.inspects, 2, 'one inspect per action, all the store\'s');
    const again = await s.service.act(ID, 'start', SYSTEM_PRINCIPAL);
    assert.equal(again.changed, false);
    assert.equal(again.state, 'running');
  });

  test('when the events lag past the timeout, the engine answers and the store stays unwritten', async (t) => {
    const s = await setUp(t, 'running', 50);
    s.fake.quiet = true;
    const result = await s.service.act(ID, 'stop', SYSTEM_PRINCIPAL);
    assert.equal(result.state, 'exited', "the engine's view");
    assert.equal(s.counts.inspects, 1, 'one inspect, after the timeout');
    assert.equal(s.store.summary(ID)?.state, 'running', 'only the events loop writes the store');
    assert.deepEqual(s.changes, [], 'nothing is published without an engine event');
  });

  test('stats\' "just started?" check waits for the store to see the start, without writing it', async (t) => {
    const s = await setUp(t, 'exited');
    const summary = s.store.summary(ID);
    assert.ok(summary);
    s.startedElsewhere(); // e.g. docker start a moment ago; its event is still on the way
    let settled = false;
    const refreshed = s.service.refreshed(summary).finally(() => (settled = true));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); // its inspect answers
    assert.equal(s.counts.inspects, 1);
    assert.equal(settled, false, 'it waits for the store');
    assert.equal(s.store.summary(ID)?.state, 'exited', 'and does not write it');
    s.send('start');
    const after = await refreshed;
    assert.equal(after.state, 'running');
    assert.equal(s.store.summary(ID)?.state, 'running');
    assert.deepEqual(
      s.changes.map((c) => c.action),
      ['start'],
    );
  });
});
