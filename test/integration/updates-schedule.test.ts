import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { nextEvent } from '../helpers/events.js';
import { TestRepository, testRegistry } from '../helpers/test-registry.js';

interface Status {
  id: string;
  name: string;
  updateAvailable: boolean | null;
  latestDigest: string | null;
}

/** One container on `latest`; the tests run in order (v1, then v2 pushed, then updated). */
const fixture = new Fixture();
const name = `gdm-t-updsch-${fixture.runId}`;
const dataDirs: string[] = [];
let id: string;
let repo: TestRepository;
let env: Record<string, string>;

const imageId = (ref: string) => docker('image', 'inspect', '--format', '{{.Id}}', ref);

before(async () => {
  await requireEngine();
  repo = new TestRepository(await testRegistry(), fixture.runId);
  await repo.publish('v1', ['latest']);
  ({ id } = await fixture.run({ name, image: `${repo.repo}:latest`, stopSignalFast: true }));
  await repo.publish('v2', ['latest']);
  env = { REGISTRY_INSECURE: repo.address };
});
after(async () => {
  await fixture.cleanup();
  await repo?.cleanup();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

describe('scheduled update checks and what outlives a restart', () => {
  test('the scheduled check fills GET /api/v1/updates with no request asking for it', async (t) => {
    const app = await buildTestApp(t, env, { updateCheckIntervalMs: 200 });
    const empty = (await app.inject({ url: '/api/v1/updates' })).json<{ updates: Status[] }>();
    assert.equal(empty.updates.some((u) => u.name === name), false, 'nothing checked yet');
    // The first scheduled check that looked at our container (others' containers come and go).
    await nextEvent(app.updates, 'checked', (e: { trigger: string }) => e.trigger === 'schedule' && app.containers.containers.marks.get('local', id) !== undefined, 30_000, 'a scheduled check of the container');
    const list = (await app.inject({ url: '/api/v1/updates' })).json<{ updates: Status[]; lastCheck: string | null }>();
    const mine = list.updates.find((u) => u.name === name);
    assert.equal(mine?.updateAvailable, true, JSON.stringify(mine));
    assert.equal(mine?.latestDigest, await repo.digest('latest'));
    assert.ok(list.lastCheck, 'the time of the last check');
    const details = (await app.inject({ url: `/api/v1/containers/${name}` })).json<{ update?: Status }>();
    assert.equal(details.update?.updateAvailable, true, 'the container view shows it too');
  });

  test('with no interval configured (UPDATE_CHECK_INTERVAL=0) nothing is checked on its own', async (t) => {
    const app = await buildTestApp(t, env);
    let checks = 0;
    app.updates.on('checked', () => checks++);
    // A check asked for ends with the same event: the only one that comes.
    await app.inject({ method: 'POST', url: `/api/v1/updates/check?container=${name}` });
    assert.equal(checks, 1);
    assert.equal((await app.inject({ url: '/api/v1/updates' })).json<{ intervalSeconds: number }>().intervalSeconds, 0);
  });

  test('the images an update superseded outlive a restart: the prune after it removes v1', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gdm-test-data-'));
    dataDirs.push(dataDir);
    const v1 = await docker('inspect', '--format', '{{.Image}}', name);
    const closeFirst: (() => Promise<void>)[] = [];
    const first = await buildTestApp({ after: (fn: () => Promise<void>) => closeFirst.push(fn) }, { ...env, DATA_DIR: dataDir });
    const res = await first.inject({ method: 'POST', url: `/api/v1/containers/${name}/update?stepTimeout=60` });
    assert.equal(res.statusCode, 200, res.body);
    for (const fn of closeFirst) await fn();

    const second = await buildTestApp(t, { ...env, DATA_DIR: dataDir });
    const pruned = (await second.inject({ method: 'POST', url: '/api/v1/updates/prune' })).json<{ removed: { id: string }[] }>();
    assert.deepEqual(pruned.removed.map((r) => r.id), [v1], 'the restarted service still knows v1 was superseded');
    await assert.rejects(imageId(v1), 'v1 is gone from the engine');
    const again = (await second.inject({ method: 'POST', url: '/api/v1/updates/prune' })).json<{ removed: unknown[]; kept: unknown[] }>();
    assert.deepEqual(again, { removed: [], kept: [] }, 'a pruned image is no longer listed');
  });
});
