import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, mock, test } from 'node:test';
import { SYSTEM_PRINCIPAL } from '../../src/access/principal.js';
import { ContainerService } from '../../src/containers/container-service.js';
import { ContainerStore, DEFAULT_STORE_OPTIONS } from '../../src/containers/container-store.js';
import { mergedOver, unitOver } from '../helpers/engine-units.js';
import { recordFromEngine, type ContainerRecord } from '../../src/docker/container-record.js';
import type { DockerEngine } from '../../src/docker/engine.js';
import type { EngineContainerDetails } from '../../src/docker/types.js';
import { ActionSlots } from '../../src/groups/action-slots.js';
import { GroupCatalog } from '../../src/groups/catalog.js';
import { GroupRunner, type GroupProgress } from '../../src/groups/group-runner.js';
import { parseGroups } from '../../src/groups/load.js';

const LABEL = 'gdm.group';
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Lets every macrotask queued so far run: long enough for calls issued together to have all arrived. */
async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Spec {
  name: string;
  group: string;
  /** Has a healthcheck: starts as `starting`, healthy only when the test (or autoHealthy) says so. */
  checked?: boolean;
}

interface FakeContainer extends Required<Spec> {
  id: string;
  running: boolean;
  health: 'starting' | 'healthy' | 'unhealthy';
  startedAt: string;
}

/**
 * An engine of several containers that, like the real one, reports each action on its
 * events stream (start; kill, die, stop; health_status). It counts inspects, records every
 * start and stop call with how many were in flight at once, and holds each call for a few
 * event-loop turns (or until `release` when `hold` is set), so calls made together overlap.
 */
function fakeEngine(specs: Spec[], options: { autoHealthy?: boolean; hold?: boolean } = {}) {
  const events = new PassThrough();
  const containers = specs.map((s, i): FakeContainer => ({ checked: false, ...s, id: String(i).padStart(64, 'c'), running: false, health: 'starting', startedAt: ZERO_TIME }));
  const byId = (id: string) => {
    const c = containers.find((x) => x.id === id);
    assert.ok(c, `no fake container ${id}`);
    return c;
  };
  const stats = { inspects: 0, inFlight: 0, peak: 0, starts: 0, stops: 0 };
  /** What happened, in order: start>name (call made), start<name (answered), healthy:name, stop>name. */
  const log: string[] = [];
  let held: (() => void)[] = [];
  let startCount = 0;
  const send = (id: string, ...actions: string[]) =>
    events.write(actions.map((a) => `${JSON.stringify({ Type: 'container', Action: a, Actor: { ID: id, Attributes: {} }, time: 0 })}\n`).join(''));
  const details = (c: FakeContainer): EngineContainerDetails => ({
    Id: c.id,
    Name: `/${c.name}`,
    Created: '2024-05-01T08:59:59Z',
    RestartCount: 0,
    Image: 'sha256:' + 'd'.repeat(64),
    State: {
      Status: c.running ? 'running' : 'exited',
      Running: c.running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: c.startedAt,
      FinishedAt: ZERO_TIME,
      ...(c.checked && c.running ? { Health: { Status: c.health, FailingStreak: 0, Log: [] } } : {}),
    },
    Config: { Image: 'busybox', Env: [], Labels: { [LABEL]: c.group }, Tty: false, Cmd: ['sleep'], Entrypoint: null, ...(c.checked ? { Healthcheck: { Test: ['CMD', 'true'] } } : {}) },
    HostConfig: { RestartPolicy: { Name: 'no' } },
    Mounts: [],
    NetworkSettings: { Ports: {}, Networks: {} },
  });
  const busy = async () => {
    stats.inFlight++;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    if (options.hold) await new Promise<void>((resolve) => held.push(resolve));
    else await turns();
    stats.inFlight--;
  };
  const healthy = (name: string) => {
    const c = containers.find((x) => x.name === name);
    assert.ok(c?.running && c.checked, `${name} is not a running, healthchecked container`);
    c.health = 'healthy';
    log.push(`healthy:${name}`);
    send(c.id, 'health_status: healthy');
  };
  const engine = {
    ping: async () => undefined,
    info: async () => ({ version: 'fake', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '' }),
    containerEvents: async () => events,
    listContainers: async () => containers.map((c) => ({ id: c.id, name: c.name, state: c.running ? 'running' : 'exited', status: c.running ? 'Up 1 second' : 'Exited (0)' })),
    inspectContainer: async (id: string): Promise<ContainerRecord> => {
      stats.inspects++;
      return recordFromEngine(details(byId(id)));
    },
    startContainer: async (id: string) => {
      const c = byId(id);
      if (c.running) return false;
      stats.starts++;
      log.push(`start>${c.name}`);
      await busy();
      c.running = true;
      c.health = 'starting';
      c.startedAt = `2024-05-01T10:00:00.${String(++startCount).padStart(9, '0')}Z`;
      log.push(`start<${c.name}`);
      send(id, 'start');
      if (c.checked && options.autoHealthy) setImmediate(() => healthy(c.name));
      return true;
    },
    stopContainer: async (id: string) => {
      const c = byId(id);
      if (!c.running) return false;
      stats.stops++;
      log.push(`stop>${c.name}`);
      await busy();
      c.running = false;
      send(id, 'kill', 'die', 'stop');
      return true;
    },
  } as unknown as DockerEngine;
  return {
    engine,
    stats,
    log,
    healthy,
    /** Answers every held start or stop call. */
    release: () => {
      for (const resolve of held) resolve();
      held = [];
    },
    heldCalls: () => held.length,
  };
}

/** Groups a (first) and b (depends on a), members by label; a runner over a real store and container service. */
async function setUp(t: { after: (fn: () => Promise<void>) => void }, specs: Spec[], options: Parameters<typeof fakeEngine>[1] & { actionConcurrency?: number } = {}) {
  const fake = fakeEngine(specs, options);
  const catalog = new GroupCatalog(parseGroups({ groups: { a: {}, b: { dependsOn: ['a'] } } }), [LABEL]);
  const store = new ContainerStore(fake.engine, { ...DEFAULT_STORE_OPTIONS, resyncIntervalMs: 3_600_000 }, (c) => catalog.groupsOf(c));
  store.start();
  t.after(() => store.close());
  await store.ready();
  fake.stats.inspects = 0; // the initial sync's are not the runner's
  const merged = mergedOver(unitOver(fake.engine, store));
  const containers = new ContainerService(merged);
  const runner = new GroupRunner(catalog, merged, containers, { stepTimeoutMaxSeconds: 600, actionConcurrency: options.actionConcurrency });
  return { ...fake, store, runner };
}

const members = (group: string, n: number, checked = false): Spec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${group}-${String(i).padStart(2, '0')}`, group, checked }));

describe('GroupRunner: a step\'s members start together, the gate listens to the store', () => {
  test('the members of one step are started concurrently (10 calls overlap), not one by one', async (t) => {
    const s = await setUp(t, members('a', 10, true), { autoHealthy: true });
    const result = await s.runner.reserve('a', 'start', { withDependencies: false }, SYSTEM_PRINCIPAL).run();
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(s.stats.starts, 10);
    assert.equal(s.stats.peak, 10, 'all ten start calls were in flight at once');
    // Every call was made before the first one answered.
    const firstAnswer = s.log.findIndex((e) => e.startsWith('start<'));
    assert.equal(s.log.slice(0, firstAnswer).filter((e) => e.startsWith('start>')).length, 10);
    assert.deepEqual(result.groups[0]?.steps[0]?.containers.map((c) => c.outcome), Array(10).fill('started'));
  });

  test('the engine calls are bounded: at most actionConcurrency in flight, the rest follow as slots free', async (t) => {
    const s = await setUp(t, members('a', 12), { actionConcurrency: 4 });
    const result = await s.runner.reserve('a', 'start', { withDependencies: false }, SYSTEM_PRINCIPAL).run();
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(s.stats.starts, 12);
    assert.equal(s.stats.peak, 4);
  });

  test('the health gate makes no inspect of its own and no polling: only the store\'s, one per engine event', async (t) => {
    const s = await setUp(t, [...members('a', 4, true), ...members('b', 2)]);
    const progress: GroupProgress[] = [];
    const running = s.runner.reserve('b', 'start', { withDependencies: true }, SYSTEM_PRINCIPAL).run((e) => progress.push(e));
    // Wait (on the store's events) until every member of a is running, health still starting.
    await new Promise<void>((resolve) => {
      const check = () => {
        if (members('a', 4).every((m) => s.store.summaries().find((c) => c.name === m.name)?.health === 'starting')) {
          s.store.off('change', check);
          resolve();
        }
      };
      s.store.on('change', check);
      check();
    });
    await turns();
    assert.equal(s.stats.inspects, 4, "one inspect per start event, the store's");
    // Time passes (a minute of every timer the runner could have set): nothing polls the engine.
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    try {
      mock.timers.tick(60_000);
      await turns();
    } finally {
      mock.timers.reset();
    }
    assert.equal(s.stats.inspects, 4, 'no inspect while the gate waits for health');
    assert.ok(!s.log.some((e) => e.startsWith('start>b-')), 'b waits for a to be healthy');
    for (const m of members('a', 3)) s.healthy(m.name);
    await turns();
    assert.equal(s.stats.inspects, 7, 'one inspect per health_status event');
    assert.ok(!s.log.some((e) => e.startsWith('start>b-')), 'one member still starting holds the step');
    s.healthy('a-03');
    const result = await running;
    assert.equal(result.ok, true, JSON.stringify(result));
    // a: 4 starts + 4 health events; b: 2 starts. Nothing else inspected anything.
    assert.equal(s.stats.inspects, 10);
    const lastHealthy = s.log.lastIndexOf('healthy:a-03');
    const firstB = s.log.findIndex((e) => e.startsWith('start>b-'));
    assert.ok(firstB > lastHealthy, `b started only after a was healthy: ${s.log.join(' ')}`);
    assert.deepEqual(
      progress.filter((e) => e.type === 'group').map((e) => `${e.group}:${e.phase}`),
      ['a:begin', 'a:end', 'b:begin', 'b:end'],
    );
  });

  test('stop goes in reverse (b before a), each group\'s members stopped together', async (t) => {
    const s = await setUp(t, [...members('a', 3), ...members('b', 3)]);
    assert.equal((await s.runner.reserve('b', 'start', { withDependencies: true }, SYSTEM_PRINCIPAL).run()).ok, true);
    s.stats.peak = 0;
    s.log.length = 0;
    const result = await s.runner.reserve('a', 'stop', { withDependencies: true }, SYSTEM_PRINCIPAL).run();
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(result.groups.map((g) => g.group), ['b', 'a']);
    const stops = s.log.filter((e) => e.startsWith('stop>'));
    assert.deepEqual(stops.map((e) => e.slice(5, 6)), ['b', 'b', 'b', 'a', 'a', 'a']);
    assert.equal(s.stats.peak, 3);
  });

  test('cancel: members still waiting for a slot are never started, and the groups are freed once the calls in flight answer', async (t) => {
    const s = await setUp(t, members('a', 5), { hold: true, actionConcurrency: 2 });
    const running = s.runner.reserve('a', 'start', { withDependencies: false }, SYSTEM_PRINCIPAL).run();
    await turns();
    assert.equal(s.heldCalls(), 2, 'two calls in flight, three members waiting for a slot');
    const cancelled = s.runner.cancel('a', SYSTEM_PRINCIPAL);
    await turns();
    s.release();
    const [answer, result] = await Promise.all([cancelled, running]);
    assert.equal(answer.cancelledBy, 'system');
    assert.equal(s.stats.starts, 2, 'no member started after the cancel');
    assert.equal(result.ok, false);
    assert.ok(result.cancelled);
    assert.deepEqual(result.groups[0]?.steps[0]?.containers.map((c) => c.outcome), Array(5).fill('cancelled'));
    assert.equal(s.runner.isBusy('a'), false);
  });
});

describe('ActionSlots', () => {
  test('hands a freed slot to the next waiter; a cancelled waiter leaves the queue', async () => {
    const slots = new ActionSlots(1);
    const order: string[] = [];
    let finishFirst = () => undefined as void;
    const first = slots.run(new AbortController().signal, () => new Promise<void>((resolve) => (finishFirst = resolve)).then(() => void order.push('first')));
    const abort = new AbortController();
    const dropped = slots.run(abort.signal, async () => void order.push('dropped'));
    const third = slots.run(new AbortController().signal, async () => void order.push('third'));
    abort.abort();
    await assert.rejects(dropped, /cancelled/);
    assert.equal(slots.busy, 1);
    finishFirst();
    await Promise.all([first, third]);
    assert.deepEqual(order, ['first', 'third']);
    assert.equal(slots.busy, 0);
    assert.throws(() => new ActionSlots(0), /positive integer/);
  });
});
