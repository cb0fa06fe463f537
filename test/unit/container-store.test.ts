import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import type { DockerEngine } from '../../src/docker/engine.js';
import { recordFromEngine, type ContainerRecord } from '../../src/docker/container-record.js';
import type { EngineContainerDetails } from '../../src/docker/types.js';
import { appError } from '../../src/errors.js';
import { ContainerStore, DEFAULT_STORE_OPTIONS, type ContainerChange } from '../../src/containers/container-store.js';

const ID = 'a'.repeat(64);
const ZERO_TIME = '0001-01-01T00:00:00Z';

function details(status: string): ContainerRecord {
  return recordFromEngine(engineDetails(status));
}

function engineDetails(status: string): EngineContainerDetails {
  return {
    Id: ID,
    Name: '/svc',
    Created: '2024-05-01T09:00:00Z',
    RestartCount: 0,
    Image: 'sha256:' + 'd'.repeat(64),
    State: { Status: status, Running: status === 'running', Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME },
    Config: { Image: 'busybox', Env: [], Labels: {}, Tty: false, Cmd: ['sleep'], Entrypoint: null },
    HostConfig: { RestartPolicy: { Name: 'no' } },
    Mounts: [],
    NetworkSettings: { Ports: {}, Networks: {} },
  } as unknown as EngineContainerDetails;
}

/**
 * An engine whose inspects answer only when the test lets them, with whatever state the
 * engine is in at that moment: the store's coalescing is seen step by step.
 */
function fakeEngine() {
  const events = new PassThrough();
  let state = 'running';
  let gone = false;
  const waiting: (() => void)[] = [];
  const engine = {
    containerEvents: async () => events,
    listContainers: async () => [],
    inspectContainer: (id: string) =>
      new Promise<ContainerRecord>((resolve, reject) => {
        waiting.push(() => (gone ? reject(appError('CONTAINER_NOT_FOUND')) : resolve({ ...details(state), id })));
      }),
  } as unknown as DockerEngine;
  return {
    engine,
    send: (action: string) => events.write(`${JSON.stringify({ Type: 'container', Action: action, Actor: { ID, Attributes: {} }, time: 0 })}\n`),
    setState: (s: string) => (state = s),
    remove: () => (gone = true),
    /** Answers the oldest inspect under way, once one is. */
    answer: async () => {
      while (waiting.length === 0) await new Promise((r) => setImmediate(r));
      (waiting.shift() as () => void)();
    },
    pending: () => waiting.length,
  };
}

async function syncedStore(engine: DockerEngine): Promise<{ store: ContainerStore; changes: ContainerChange[] }> {
  const store = new ContainerStore(engine, { ...DEFAULT_STORE_OPTIONS, resyncIntervalMs: 3_600_000 });
  const changes: ContainerChange[] = [];
  store.on('change', (c) => changes.push(c));
  store.start();
  await store.ready();
  return { store, changes };
}

/** Lets the store read what the fake engine wrote (stream data, microtasks). */
const settle = () => new Promise((r) => setImmediate(r));

describe('ContainerStore: the engine\'s actions, in order', () => {
  test('docker restart (kill, die, stop, start, restart) is reported step by step, ending running', async (t) => {
    const fake = fakeEngine();
    const { store, changes } = await syncedStore(fake.engine);
    t.after(() => store.close());
    fake.send('create');
    fake.setState('created');
    await fake.answer();
    await settle();
    fake.setState('running');
    fake.send('start');
    await fake.answer();
    await settle();
    changes.length = 0;

    fake.send('kill'); // its inspect is under way while the rest arrives
    await settle();
    for (const action of ['die', 'stop', 'start', 'restart']) fake.send(action);
    await settle();
    await fake.answer(); // the kill's inspect: the container already runs again
    await fake.answer(); // one inspect serves the four that came meanwhile
    await settle();
    assert.equal(fake.pending(), 0, 'two inspects for five actions');
    assert.deepEqual(
      changes.map((c) => c.action),
      ['kill', 'die', 'stop', 'start', 'restart'],
    );
    assert.equal(changes.at(-1)?.container?.state, 'running');
  });

  test('a destroy while an inspect is under way: the container does not come back', async (t) => {
    const fake = fakeEngine();
    const { store, changes } = await syncedStore(fake.engine);
    t.after(() => store.close());
    fake.send('create');
    await fake.answer();
    await settle();
    fake.send('die');
    await settle();
    fake.send('destroy');
    await settle();
    await fake.answer(); // the die's inspect answers after the destroy arrived
    await settle();
    assert.equal(store.record(ID), undefined, 'removed for good');
    assert.deepEqual(
      changes.map((c) => `${c.kind}/${c.action}`),
      ['added/create', 'updated/die', 'removed/destroy'],
    );
  });

  test('a container gone before its inspect is removed', async (t) => {
    const fake = fakeEngine();
    const { store, changes } = await syncedStore(fake.engine);
    t.after(() => store.close());
    fake.send('create');
    await fake.answer();
    await settle();
    assert.deepEqual(
      changes.map((c) => c.action),
      ['create'],
    );
    fake.remove();
    fake.send('die');
    await fake.answer();
    await settle();
    assert.equal(store.record(ID), undefined);
    assert.deepEqual(
      changes.map((c) => `${c.kind}/${c.action}`),
      ['added/create', 'removed/die'],
    );
  });
});
