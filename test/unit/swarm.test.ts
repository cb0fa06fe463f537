import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import type { SwarmEngine, SwarmServiceRecord, SwarmTaskRecord } from '../../src/docker/swarm-engine.js';
import { serviceFromEngine, swarmStateFromInfo } from '../../src/docker/swarm-records.js';
import { GroupCatalog } from '../../src/groups/catalog.js';
import { GroupsFileError, parseGroups } from '../../src/groups/load.js';
import { parseDetails } from '../../src/swarm/service-logs.js';
import { diffById, isSettled } from '../../src/swarm/swarm-diff.js';
import { splitRef } from '../../src/swarm/swarm-engines.js';
import { SwarmStore, type SwarmChange } from '../../src/swarm/swarm-store.js';
import { stacksOf } from '../../src/swarm/swarm-views.js';

function service(id: string, replicas: number | null, extra: Partial<SwarmServiceRecord> = {}): SwarmServiceRecord {
  return {
    id,
    version: 1,
    name: id,
    stack: null,
    mode: replicas === null ? 'global' : 'replicated',
    replicas,
    image: 'img',
    tty: false,
    labels: {},
    ports: [],
    updateStatus: null,
    hasPreviousSpec: false,
    createdAt: null,
    updatedAt: null,
    ...extra,
  };
}

function task(id: string, serviceId: string, state: string, desiredState = 'running'): SwarmTaskRecord {
  return { id, serviceId, nodeId: 'n1', slot: 1, state, desiredState, message: null, error: null, containerId: null, exitCode: null, createdAt: null, updatedAt: null };
}

describe('swarm records', () => {
  test('a manager is an active node with control available; anything else has no swarm to show', () => {
    assert.equal(swarmStateFromInfo({ Swarm: { LocalNodeState: 'active', ControlAvailable: true, NodeID: 'n' } }).manager, true);
    assert.equal(swarmStateFromInfo({ Swarm: { LocalNodeState: 'active', ControlAvailable: false } }).manager, false, 'a worker');
    assert.deepEqual(swarmStateFromInfo({ Swarm: { LocalNodeState: 'inactive' } }), { localNodeState: 'inactive', manager: false, nodeId: null });
    assert.equal(swarmStateFromInfo({}).localNodeState, 'inactive');
  });

  test('a service: mode, replicas, stack, image without its digest, previous spec', () => {
    const s = serviceFromEngine({
      ID: 's1',
      Version: { Index: 7 },
      Spec: { Name: 'web', Labels: { 'com.docker.stack.namespace': 'shop' }, Mode: { Replicated: { Replicas: 3 } }, TaskTemplate: { ContainerSpec: { Image: 'nginx:1@sha256:abcd' } } },
      PreviousSpec: { Name: 'web' },
    });
    assert.deepEqual([s.mode, s.replicas, s.stack, s.image, s.version, s.hasPreviousSpec], ['replicated', 3, 'shop', 'nginx:1', 7, true]);
    assert.equal(serviceFromEngine({ ID: 'g', Version: { Index: 1 }, Spec: { Name: 'g', Mode: { Global: {} } } }).replicas, null);
  });
});

describe('swarm logs', () => {
  test('the details before each line name its task and node; the text is what the task wrote', () => {
    const line = 'com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 hello world';
    assert.deepEqual(parseDetails(line), {
      details: { 'com.docker.swarm.node.id': 'n1', 'com.docker.swarm.service.id': 's1', 'com.docker.swarm.task.id': 't1' },
      text: 'hello world',
    });
    assert.equal(parseDetails('com.docker.swarm.task.id=t1').text, '', 'an empty line');
    assert.deepEqual(parseDetails('plain text=with equals'), { details: {}, text: 'plain text=with equals' }, 'no details: left as it is');
  });
});

describe('swarm state', () => {
  test('settled only when every replicated service runs its replicas and no task or update is on its way', () => {
    const s = service('s', 2);
    assert.equal(isSettled([s], [task('a', 's', 'running'), task('b', 's', 'running')]), true);
    assert.equal(isSettled([s], [task('a', 's', 'running'), task('b', 's', 'starting')]), false);
    assert.equal(isSettled([s], [task('a', 's', 'running'), task('b', 's', 'running'), task('c', 's', 'running', 'shutdown')]), false, 'one still to stop');
    assert.equal(isSettled([s], [task('a', 's', 'running'), task('b', 's', 'running'), task('c', 's', 'shutdown', 'shutdown')]), true);
    assert.equal(isSettled([{ ...s, updateStatus: { state: 'updating', message: null, startedAt: null, completedAt: null } }], []), false);
  });

  test('diffById reports added, updated and removed records', () => {
    const seen: string[] = [];
    const prev = new Map([['a', { id: 'a', v: 1 }], ['b', { id: 'b', v: 1 }]]);
    const next = diffById(prev, [{ id: 'a', v: 2 }, { id: 'c', v: 1 }], (action, r) => seen.push(`${action}:${r.id}`));
    assert.deepEqual(seen.sort(), ['added:c', 'removed:b', 'updated:a']);
    assert.deepEqual([...next.keys()], ['a', 'c']);
  });

  test('stacks group services by their namespace, per engine', () => {
    const view = (name: string, stack: string | null, engine = 'local') => ({ engine, name, stack, replicas: { desired: 2, running: 1 } }) as never;
    const stacks = stacksOf([view('a', 'shop'), view('b', 'shop'), view('c', null), view('d', 'shop', 'e2')]);
    assert.deepEqual(stacks.map((s) => [s.engine, s.name, s.services, s.replicas.running]), [['e2', 'shop', 1, 1], ['local', 'shop', 2, 2]]);
  });

  test('engine-qualified references', () => {
    assert.deepEqual(splitRef('e2:web', undefined), { engine: 'e2', ref: 'web' });
    assert.deepEqual(splitRef('web', 'e2'), { engine: 'e2', ref: 'web' });
    assert.throws(() => splitRef('e2:web', 'local'), /names engine e2/);
  });

  test('the store re-reads on engine events, and an engine that is not a manager has nothing', async () => {
    const events = new PassThrough();
    let manager = true;
    let services = [service('s1', 1)];
    const engine: SwarmEngine = {
      state: async () => ({ localNodeState: manager ? 'active' : 'inactive', manager, nodeId: null }),
      listNodes: async () => [],
      listServices: async () => services,
      listTasks: async () => [task('t1', 's1', 'running')],
      updateService: async () => 1,
      setNodeAvailability: async () => 1,
      serviceLogs: async () => new PassThrough(),
      events: async () => events,
    };
    const store = new SwarmStore('local', engine, { resyncIntervalMs: 60_000, debounceMs: 1, convergeMs: 5, convergeMaxIdle: 2, reconnectMinMs: 10, reconnectMaxMs: 10 });
    store.start();
    try {
      await store.ready();
      assert.deepEqual(store.services().map((s) => s.id), ['s1']);
      const changes: SwarmChange[] = [];
      store.on('change', (c) => changes.push(c));
      services = [service('s1', 1), service('s2', 1)];
      const synced = new Promise((resolve) => store.once('synced', () => resolve(undefined)));
      events.write('{"Type":"service","Action":"create"}\n');
      await synced;
      assert.deepEqual(changes.map((c) => `${c.kind}:${c.action}:${c.id}`), ['service:added:s2']);
      manager = false;
      const left = new Promise((resolve) => store.once('synced', () => resolve(undefined)));
      events.write('{"Type":"node","Action":"update"}\n');
      await left;
      assert.deepEqual([store.services(), store.tasks(), store.state.manager], [[], [], false]);
    } finally {
      await store.close();
    }
  });
});

describe('groups naming swarm services', () => {
  const groups = parseGroups({
    groups: {
      web: { members: [{ swarm: { service: 'api', replicas: 3 } }, { name: 'proxy', order: 1 }] },
      shop: { members: [{ swarm: { stack: 'shop', engine: 'e2' } }] },
    },
  });
  const catalog = new GroupCatalog(groups, ['gdm.group']);
  const svc = (name: string, stack: string | null, engine = 'local', labels: Record<string, string> = {}) => ({ engine, id: `${name}-id`, name, stack, labels });

  test('a swarm member matches services by name or stack (and engine), never a container; the group label counts for access', () => {
    assert.deepEqual(catalog.serviceGroupsOf(svc('api', null)), ['web']);
    assert.deepEqual(catalog.serviceGroupsOf(svc('cart', 'shop', 'e2')), ['shop']);
    assert.deepEqual(catalog.serviceGroupsOf(svc('cart', 'shop', 'local')), [], 'another engine');
    assert.deepEqual(catalog.serviceGroupsOf(svc('x', null, 'local', { 'gdm.group': 'shop' })), ['shop'], 'by label');
    assert.deepEqual(catalog.groupsOf({ id: 'c', name: 'api', labels: {}, composeProject: null, composeService: null }), [], 'a container named like the service');
    const web = catalog.get('web')!;
    assert.deepEqual(catalog.serviceMembersOf(web, [svc('api', null), svc('other', null, 'local', { 'gdm.group': 'web' })]).map((m) => m.container.name), ['api'], 'only named members are scaled');
  });

  test('a swarm member names exactly one of service and stack', () => {
    assert.throws(() => parseGroups({ groups: { g: { members: [{ swarm: { service: 'a', stack: 'b' } }] } } }), (e: unknown) => e instanceof GroupsFileError && /exactly one of service, stack/.test(e.message));
    assert.throws(() => parseGroups({ groups: { g: { members: [{ swarm: {} }] } } }), GroupsFileError);
    assert.equal(groups[0]!.members[0]!.swarm?.replicas, 3);
  });
});
