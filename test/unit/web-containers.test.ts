import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { paths } from '../../clients/typescript/src/generated/schema.js';
import { container, type ContainerSummary } from '../helpers/web-containers.js';
import {
  applyChange,
  connectionAfterError,
  engineNames,
  findByRef,
  connectionAfterOpen,
  connectionAfterReady,
  groupNames,
  tableFromSnapshot,
  usageFromSample,
  visibleRows,
  type RowQuery,
} from '../../web/src/state/containers.js';

type Usage = paths['/api/v1/stats']['get']['responses']['200']['content']['application/json']['containers'][number];

/** A sample with only what the table reads (id, CPU, memory). */
function usage(id: string, cpuPercent: number | null, memory: number): Usage {
  return { id, name: `c-${id}`, cpuPercent, memory: { usage: memory, limit: 1e9, percent: memory / 1e7 } } as Usage;
}

const ids = (rows: readonly ContainerSummary[]) => rows.map((c) => c.id);
const all: RowQuery = { query: '', state: '', group: '', sort: { key: 'name', asc: true } };

describe('dashboard container table: events and stats → rows', () => {
  test('a snapshot replaces the table; container events add, update and remove without mutating it', () => {
    const first = tableFromSnapshot([container('a'), container('b')]);
    assert.deepEqual([...first.keys()], ['local:a', 'local:b']);

    const added = applyChange(first, { kind: 'added', id: 'c', container: container('c', { state: 'created' }) });
    assert.deepEqual([...added.keys()], ['local:a', 'local:b', 'local:c']);
    assert.equal(first.size, 2, 'the previous table (React state) is left as it was');

    const stopped = applyChange(added, { kind: 'updated', id: 'a', container: container('a', { state: 'exited' }) });
    assert.equal(stopped.get('local:a')?.state, 'exited');
    assert.equal(added.get('local:a')?.state, 'running');

    const removed = applyChange(stopped, { kind: 'removed', id: 'b' });
    assert.deepEqual([...removed.keys()], ['local:a', 'local:c']);
    // An update without the container (it went away meanwhile) drops the row too.
    assert.deepEqual([...applyChange(removed, { kind: 'updated', id: 'c' }).keys()], ['local:a']);
    // Removing a container the table never had is no error.
    assert.deepEqual([...applyChange(removed, { kind: 'removed', id: 'zz' }).keys()], ['local:a', 'local:c']);

    assert.deepEqual([...tableFromSnapshot([container('z')]).keys()], ['local:z'], 'a new snapshot (after a resync) starts over');
  });

  test('each stats sample replaces the last: a container missing from it has no usage any more', () => {
    const one = usageFromSample([usage('a', 10, 100), usage('b', 20, 200)]);
    assert.equal(one.get('local:b')?.cpuPercent, 20);
    const two = usageFromSample([usage('a', 5, 50)]);
    assert.deepEqual([...two.keys()], ['local:a']);
    assert.equal(two.get('local:a')?.memory.usage, 50);
  });

  test('connection: engine-gone errors show engine-down until a snapshot; a dropped connection is lost until it reopens', () => {
    assert.equal(connectionAfterError('live', true), 'engine-down');
    assert.equal(connectionAfterError('live', false), 'lost');
    assert.equal(connectionAfterError('connecting', false), 'lost');
    assert.equal(connectionAfterError('engine-down', false), 'engine-down', 'a later connection error does not hide the outage');
    assert.equal(connectionAfterOpen('lost'), 'live');
    assert.equal(connectionAfterOpen('engine-down'), 'engine-down', 'only the snapshot ends an outage');
    assert.equal(connectionAfterOpen('connecting'), 'connecting', 'the first snapshot makes it live');
    assert.equal(connectionAfterReady('lost', 'not-ready'), 'engine-down', 'the service answered: only its engine is out of reach');
    assert.equal(connectionAfterReady('connecting', 'not-ready'), 'engine-down');
    assert.equal(connectionAfterReady('engine-down', 'no-answer'), 'lost', 'no answer at all: the service is out of reach');
    assert.equal(connectionAfterReady('lost', 'ready'), 'lost', 'ready: the reopened stream makes it live');
    assert.equal(connectionAfterReady('engine-down', 'ready'), 'engine-down', 'ready: only the snapshot ends an outage');
  });

  test('rows filter by text (name or image, any case), state and group', () => {
    const list = [
      container('a', { name: 'api-gateway', image: 'nginx:1.27', groups: ['core', 'edge'], group: 'core' }),
      container('b', { name: 'worker', image: 'ACME/Worker:2', state: 'exited', groups: ['core'], group: 'core' }),
      container('c', { name: 'db', image: 'postgres:16' }),
    ];
    const none = new Map<string, Usage>();
    assert.deepEqual(ids(visibleRows(list, none, { ...all, query: 'GATE' })), ['a']);
    assert.deepEqual(ids(visibleRows(list, none, { ...all, query: 'acme' })), ['b'], 'the image matches too');
    assert.deepEqual(ids(visibleRows(list, none, { ...all, state: 'running' })), ['a', 'c']);
    assert.deepEqual(ids(visibleRows(list, none, { ...all, group: 'core' })), ['a', 'b']);
    assert.deepEqual(ids(visibleRows(list, none, { ...all, group: 'core', state: 'exited' })), ['b']);
    assert.deepEqual(groupNames(list), ['core', 'edge']);
    assert.deepEqual(ids(list), ['a', 'b', 'c'], 'the input list is not reordered');
  });

  test('rows sort by a column either way; CPU and memory sort by the live sample, unsampled last ascending', () => {
    const list = [container('a', { name: 'b-name', group: 'web' }), container('b', { name: 'a-name' }), container('c', { name: 'c-name', group: 'api' })];
    const live = usageFromSample([usage('a', 30, 10), usage('c', 5, 300), usage('b', null, 20)]);
    assert.deepEqual(ids(visibleRows(list, live, all)), ['b', 'a', 'c']);
    assert.deepEqual(ids(visibleRows(list, live, { ...all, sort: { key: 'name', asc: false } })), ['c', 'a', 'b']);
    assert.deepEqual(ids(visibleRows(list, live, { ...all, sort: { key: 'group', asc: true } })), ['b', 'c', 'a'], 'no group sorts first');
    // b has no CPU figure yet (null until two samples): it sorts as below zero.
    assert.deepEqual(ids(visibleRows(list, live, { ...all, sort: { key: 'cpu', asc: true } })), ['b', 'c', 'a']);
    assert.deepEqual(ids(visibleRows(list, live, { ...all, sort: { key: 'memory', asc: false } })), ['c', 'b', 'a']);
    assert.deepEqual(ids(visibleRows(list, new Map(), { ...all, sort: { key: 'memory', asc: true } })), ['a', 'b', 'c'], 'no samples: ties keep their order');
  });

  test('several engines: the same id on two engines is two rows (keyed {engine}:{id}); changes, usage and the engine filter and sort keep them apart', () => {
    const a1 = container('abc123', { name: 'web' });
    const a2 = container('abc123', { engine: 'e2', name: 'web' });
    const table = tableFromSnapshot([a1, a2, container('def456', { engine: 'e2', name: 'db' })]);
    assert.deepEqual([...table.keys()], ['local:abc123', 'e2:abc123', 'e2:def456']);
    const stopped = applyChange(table, { kind: 'updated', engine: 'e2', id: 'abc123', container: { ...a2, state: 'exited' } });
    assert.equal(stopped.get('e2:abc123')?.state, 'exited');
    assert.equal(stopped.get('local:abc123')?.state, 'running', 'the other engine\'s container of that id is untouched');
    assert.deepEqual([...applyChange(stopped, { kind: 'removed', engine: 'local', id: 'abc123' }).keys()], ['e2:abc123', 'e2:def456']);

    const sample = usageFromSample([{ ...usage('abc123', 10, 1), engine: 'e2' }, usage('abc123', 90, 2)]);
    assert.equal(sample.get('e2:abc123')?.cpuPercent, 10);
    assert.equal(sample.get('local:abc123')?.cpuPercent, 90);

    const rows = [...table.values()];
    const none = new Map<string, Usage>();
    assert.deepEqual(visibleRows(rows, none, { ...all, engine: 'e2' }).map((c) => `${c.engine}:${c.name}`), ['e2:db', 'e2:web']);
    assert.deepEqual(visibleRows(rows, none, { ...all, engine: 'local' }).map((c) => `${c.engine}:${c.name}`), ['local:web']);
    assert.deepEqual(visibleRows(rows, none, { ...all, engine: 'nope' }), []);
    assert.deepEqual(visibleRows(rows, none, { ...all, sort: { key: 'engine', asc: true } }).map((c) => c.engine), ['e2', 'e2', 'local']);
    assert.deepEqual(engineNames(rows), ['e2', 'local']);
    assert.deepEqual(engineNames(rows, ['e3', 'local']), ['e2', 'e3', 'local'], 'an engine without containers is still an option');
  });

  test('a route reference finds its live row: {engine}:{id} exactly, else a name, id or prefix on the engine named, never a guess between engines', () => {
    const table = tableFromSnapshot([container('abc123', { name: 'web' }), container('abd999', { engine: 'e2', name: 'web' }), container('fff000', { engine: 'e2', name: 'db' })]);
    assert.equal(findByRef(table, 'e2:abd999')?.engine, 'e2');
    assert.equal(findByRef(table, 'local:abc123')?.id, 'abc123');
    assert.equal(findByRef(table, 'e2:web')?.id, 'abd999');
    assert.equal(findByRef(table, 'local:web')?.id, 'abc123');
    assert.equal(findByRef(table, 'e2:fff')?.name, 'db', 'an id prefix on the engine named');
    assert.equal(findByRef(table, 'db')?.engine, 'e2', 'a bare name found once');
    assert.equal(findByRef(table, 'web'), undefined, 'a bare name on two engines: the page asks the service (409 AMBIGUOUS)');
    assert.equal(findByRef(table, 'ab'), undefined, 'a prefix of ids on two engines');
    assert.equal(findByRef(table, 'e3:web'), undefined);
    assert.equal(findByRef(table, 'e2:'), undefined);
  });
});
