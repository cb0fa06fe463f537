import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ContainerChange } from '../../src/containers/container-store.js';
import type { Flush } from '../../src/history/recorder.js';
import type { HistoryView } from '../../src/history/schemas.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { Fixture, requireEngine } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { nextEvent } from '../helpers/events.js';
import { privateGroups } from '../helpers/private-groups.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';

/** Resource history with two engines: a container on e2 is recorded under e2 and read back as `e2:<id>`. */
const local = new Fixture();
const groups = privateGroups(local.runId, ['hist']);
const HIST = groups.group('hist');
let e2: TestEngine;
let onE2: Fixture;
let app: TestApp;
const cleanups: (() => void | Promise<void>)[] = [];

describe('resource history over two engines', () => {
  before(async () => {
    await requireEngine();
    ({ e2 } = await requireTestEngines());
    onE2 = new Fixture(e2.cliEnv);
    const engines = writeEnginesFile((fn) => cleanups.push(fn), [e2]);
    app = await buildTestApp(
      { after: (fn: () => Promise<void>) => cleanups.push(fn) },
      { ...groups.env, ENGINES_FILE: engines, HISTORY_INTERVAL_MS: '500', HISTORY_COARSE_INTERVAL_MS: '60000', USER_SERVICES: HIST, USER_ENGINES: 'local' },
    );
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await Promise.all([local.cleanup(), onE2?.cleanup()]);
    groups.remove();
  });

  test('a container on e2 gets points keyed by its engine; removed, its history stays readable as e2:<id>, not to a caller without e2', async () => {
    assert.ok(app.history);
    const far = await onE2.run({ labels: { 'gdm.group': HIST }, stopSignalFast: true });
    // Two rounds that recorded it, under e2.
    let seen = 0;
    const [last] = await nextEvent<[Flush]>(app.history.recorder, 'flush', (f) => f.containers.some((c) => c.engine === 'e2' && c.id === far.id) && ++seen === 2, 30_000, 'two rounds with the container on e2');
    const series = app.history.store.series('container', 'e2', far.id);
    assert.ok(series, 'a series keyed by engine e2');
    assert.equal(app.history.store.series('container', 'local', far.id), undefined, 'none under local');

    const read = async (ref: string, authorization?: string) => {
      const res = await app.inject({ url: `/api/v1/stats/history?container=${ref}&until=${new Date(last.time + 1).toISOString()}`, ...(authorization ? { headers: { authorization } } : {}) });
      return { status: res.statusCode, body: res.json() as HistoryView };
    };
    const live = await read(`e2:${far.id}`);
    assert.equal(live.status, 200);
    assert.deepEqual(live.body.container, { id: far.id, name: far.name, engine: 'e2', live: true });
    assert.ok(live.body.points.length >= 2, `points: ${live.body.points.length}`);
    assert.equal((await read(`local:${far.id}`)).status, 404, 'not on local');

    const removed = nextEvent<[ContainerChange]>(app.containers.store, 'change', (c) => c.id === far.id && c.container === undefined, 20_000, 'the e2 container removed');
    await dockerOn(e2, 'rm', '-f', far.name);
    await removed;
    const gone = await read(`e2:${far.id}`);
    assert.equal(gone.status, 200, 'a removed container on e2 is found by e2:<id>');
    assert.deepEqual(gone.body.container, { id: far.id, name: far.name, engine: 'e2', live: false });
    assert.ok(gone.body.points.length >= 2);
    // A user of the group whose role sees only the engine local: the removed e2 container does not exist for it.
    const user = `Bearer ${await app.tokenFor('user', { groups: [HIST] })}`;
    assert.equal((await read(far.id, user)).status, 404);
    assert.equal((await read(`e2:${far.id}`, user)).status, 404);
  });
});
