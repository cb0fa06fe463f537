import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { ContainerStore, DEFAULT_STORE_OPTIONS } from '../../src/containers/container-store.js';
import { parseRef, qualifiedRef, resolveContainer } from '../../src/containers/container-resolver.js';
import type { EngineTransition } from '../../src/containers/engines/merged-store.js';
import { recordFromEngine } from '../../src/docker/container-record.js';
import type { DockerEngine } from '../../src/docker/engine.js';
import type { EngineContainerDetails } from '../../src/docker/types.js';
import { appError, AppError } from '../../src/errors.js';
import { mergedOver, unitOver } from '../helpers/engine-units.js';

function engineDetails(id: string, name: string): EngineContainerDetails {
  return {
    Id: id,
    Name: `/${name}`,
    Created: '2024-05-01T09:00:00Z',
    RestartCount: 0,
    Image: 'sha256:' + 'd'.repeat(64),
    State: { Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: '2024-05-01T09:00:01Z', FinishedAt: '0001-01-01T00:00:00Z' },
    Config: { Image: 'busybox', Env: [], Labels: {}, Tty: false, Cmd: ['sleep'], Entrypoint: null },
    HostConfig: { RestartPolicy: { Name: 'no' } },
    Mounts: [],
    NetworkSettings: { Ports: {}, Networks: {} },
  } as unknown as EngineContainerDetails;
}

/** An engine holding these containers, that can go down (its events stream ends, every call fails) and come back. */
function fakeEngine(engineName: string, containers: { id: string; name: string }[]) {
  let down = false;
  let events = new PassThrough();
  const unavailable = () => appError('DOCKER_UNAVAILABLE', undefined, undefined, 'connect ECONNREFUSED /fake.sock');
  const engine = {
    ping: async () => {
      if (down) throw unavailable();
    },
    info: async () => ({ version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '6' }),
    containerEvents: async () => {
      if (down) throw unavailable();
      events = new PassThrough();
      return events;
    },
    listContainers: async () => {
      if (down) throw unavailable();
      return containers.map((c) => ({ id: c.id, name: c.name, state: 'running', status: 'Up 5 minutes' }));
    },
    inspectContainer: async (id: string) => {
      const c = containers.find((x) => x.id === id);
      if (!c) throw appError('CONTAINER_NOT_FOUND');
      return recordFromEngine(engineDetails(c.id, c.name), engineName);
    },
  } as unknown as DockerEngine;
  return {
    engine,
    goDown: () => {
      down = true;
      events.end();
    },
    comeBack: () => (down = false),
  };
}

const FAST = { ...DEFAULT_STORE_OPTIONS, resyncIntervalMs: 3_600_000, reconnectMinMs: 5, reconnectMaxMs: 20 };
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

function twoEngines(t: { after: (fn: () => Promise<void>) => void }, requiredB = false) {
  const a = fakeEngine('a', [{ id: ID_A, name: 'web' }]);
  const b = fakeEngine('b', [{ id: ID_B, name: 'web' }]);
  const storeA = new ContainerStore(a.engine, FAST);
  const storeB = new ContainerStore(b.engine, FAST);
  const merged = mergedOver(unitOver(a.engine, storeA, 'a'), unitOver(b.engine, storeB, 'b', requiredB));
  t.after(async () => {
    await Promise.all([storeA.close(), storeB.close()]);
  });
  return { a, b, storeA, storeB, merged };
}

const next = <T>(emitter: { once(event: string, fn: (value: T) => void): unknown }, event: string) => new Promise<T>((resolve) => emitter.once(event, resolve));

describe('MergedStore: engines merged, a lost one stale, never holding the others', () => {
  test('lists both engines with their engine; a lost engine keeps its containers marked stale with lastSeen, and a new generation', async (t) => {
    const { b, storeA, storeB, merged } = twoEngines(t);
    storeA.start();
    storeB.start();
    await Promise.all([next(storeA, 'synced'), next(storeB, 'synced')]);
    await merged.ready();
    assert.deepEqual(merged.summaries().map((c) => [c.engine, c.id, c.stale]), [['a', ID_A, undefined], ['b', ID_B, undefined]]);
    const before = merged.generation();
    const transitions: EngineTransition[] = [];
    merged.on('engine', (e) => transitions.push(e));
    let mergedLost = false;
    merged.on('lost', () => (mergedLost = true));

    const lost = next(storeB, 'lost');
    b.goDown();
    await lost;
    assert.ok(merged.generation() > before, 'the stale marks are a change of the list (new ETag)');
    const onB = merged.summaries().find((c) => c.engine === 'b');
    assert.equal(onB?.stale, true);
    assert.equal(onB?.lastSeen, merged.lastSeen('b'));
    assert.equal(merged.summary(ID_B)?.stale, true);
    assert.equal(merged.summaries().find((c) => c.engine === 'a')?.stale, undefined);
    assert.deepEqual(transitions.map((e) => [e.engine, e.synced]), [['b', false]]);
    assert.equal(mergedLost, false, 'one engine of two lost: the merged store is still synced');
    await merged.ready(); // still answers at once, from engine a (b is optional and failing)

    const back = next(storeB, 'synced');
    b.comeBack();
    await back;
    assert.equal(merged.summary(ID_B)?.stale, undefined);
    assert.equal(merged.lastSeen('b'), undefined);
    assert.deepEqual(transitions.map((e) => [e.engine, e.synced]), [['b', false], ['b', true]]);
  });

  test('ready(): an optional engine that is down never holds it; none synced is 503', async (t) => {
    const { b, storeA, storeB, merged } = twoEngines(t);
    b.goDown();
    storeA.start();
    storeB.start();
    const started = Date.now();
    await merged.ready(5_000);
    assert.ok(Date.now() - started < 1_000, 'answered without waiting for b');
    assert.deepEqual(merged.summaries().map((c) => c.engine), ['a']);

    const other = twoEngines(t);
    other.a.goDown();
    other.b.goDown();
    other.storeA.start();
    other.storeB.start();
    await assert.rejects(other.merged.ready(5_000), (err: unknown) => err instanceof AppError && err.code === 'DOCKER_UNAVAILABLE');
  });

  test('the unit of a lost engine says why: our code and the system cause, no engine text', async (t) => {
    const { b, storeA, storeB, merged } = twoEngines(t);
    storeA.start();
    storeB.start();
    await merged.ready();
    b.goDown();
    const unit = merged.unit('b');
    const state = await unit?.status.check(true);
    assert.equal(state?.reachable, false);
    assert.deepEqual([state?.lastError?.code, state?.lastError?.cause], ['DOCKER_UNAVAILABLE', 'ECONNREFUSED']);
    assert.doesNotMatch(JSON.stringify(state), /fake\.sock/);
  });
});

describe('references across engines', () => {
  const web1 = { engine: 'a', id: ID_A, name: 'web' };
  const web2 = { engine: 'b', id: ID_B, name: 'web' };
  const db = { engine: 'b', id: 'ab'.padEnd(64, '1'), name: 'db' };

  test('a name on two engines is AMBIGUOUS with both candidates; on one engine it resolves', () => {
    assert.throws(
      () => resolveContainer('web', [web1, web2, db]),
      (err: unknown) =>
        err instanceof AppError &&
        err.code === 'AMBIGUOUS' &&
        err.status === 409 &&
        JSON.stringify(err.details) === JSON.stringify({ candidates: [web1, web2].map(({ engine, id, name }) => ({ engine, id, name })) }),
    );
    assert.equal(resolveContainer('web', [web2, db]), web2);
  });

  test('a prefix across engines is AMBIGUOUS; within one engine it stays AMBIGUOUS_CONTAINER_ID', () => {
    assert.throws(() => resolveContainer('a', [web1, db]), (err: unknown) => err instanceof AppError && err.code === 'AMBIGUOUS');
    assert.throws(() => resolveContainer('a', [{ ...web1, engine: 'b' }, db]), (err: unknown) => err instanceof AppError && err.code === 'AMBIGUOUS_CONTAINER_ID');
  });

  test('{engine}:{ref} and ?engine= are read alike; a contradiction is a 400', () => {
    assert.deepEqual(parseRef('b:web'), { engine: 'b', ref: 'web' });
    assert.deepEqual(parseRef('web', 'b'), { engine: 'b', ref: 'web' });
    assert.deepEqual(parseRef('web'), { ref: 'web' });
    assert.equal(qualifiedRef('web', 'b'), 'b:web');
    assert.throws(() => parseRef('a:web', 'b'), (err: unknown) => err instanceof AppError && err.status === 400);
  });
});

describe('groups spanning engines', () => {
  test('a member may name its engine: the same name elsewhere is not a member', async () => {
    const { parseGroups } = await import('../../src/groups/load.js');
    const { GroupCatalog } = await import('../../src/groups/catalog.js');
    const catalog = new GroupCatalog(parseGroups({ groups: { db: { members: [{ name: 'postgres', engine: 'db-host' }, { name: 'cache' }] } } }), ['gdm.group']);
    const c = (engine: string, name: string) => ({ engine, id: `${engine}-${name}`, name, labels: {}, composeProject: null, composeService: null });
    assert.deepEqual(catalog.groupsOf(c('db-host', 'postgres')), ['db']);
    assert.deepEqual(catalog.groupsOf(c('local', 'postgres')), []);
    assert.deepEqual(catalog.groupsOf(c('pi', 'cache')), ['db'], 'a member without engine matches on any engine');
    assert.throws(() => parseGroups({ groups: { db: { members: [{ name: 'x', engine: 'a:b' }] } } }));
  });
});
