import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine, TEST_LABEL } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';
import { TestRepository, testRegistry } from '../helpers/test-registry.js';
import { parseGroups } from '../../src/groups/load.js';

/**
 * Image updates with two engines: `local` (the first) and e2. The test registry listens on
 * the host's 127.0.0.1, which e2 (its own network namespace) cannot reach: a pull on e2
 * fails, one on the first engine works. Every check and call must use the container's own
 * engine. The same container name runs on both engines from the same tag, which names
 * different images there: v1 on e2 (loaded from a `docker save`: no RepoDigests), v2 on the
 * first engine (pulled), where v1 also is, with its RepoDigests (pulled before v2 was pushed).
 */
const local = new Fixture();
let remote: Fixture;
let e2: TestEngine;
let repo: TestRepository;
const name = `gdm-t-upde-${local.runId}`;
/** A group spanning both engines: the e2 container first, then the first engine's. */
const G = `upde-${local.runId}`;
const groups = parseGroups({ groups: { [G]: { members: [{ id: 'on-e2', name, engine: 'e2', order: 0 }, { id: 'on-local', name, engine: 'local', order: 1 }] } } });
let tag: string;
let v1: string;
let v2: string;
let d1: string;
let d2: string;

interface Status {
  engine: string;
  id: string;
  name: string;
  imageId: string;
  updateAvailable: boolean | null;
  currentDigest: string | null;
  latestDigest: string | null;
  error?: string;
}
interface Member {
  engine: string;
  id: string;
  name: string;
  outcome: string;
  toImageId?: string;
}
interface Result {
  ok: boolean;
  pulled: { engine: string; image: string; imageId: string }[];
  steps: { members: Member[] }[];
  failure?: { phase: string; containers: string[]; reason: string };
}
interface Inspect {
  Id: string;
  Image: string;
  State: { Running: boolean; StartedAt: string; Health?: { Status: string } };
}

/** `docker save` on the first engine piped into `docker load` on another. */
async function copyImage(ref: string, to: TestEngine): Promise<void> {
  const save = spawn('docker', ['save', ref], { stdio: ['ignore', 'pipe', 'inherit'] });
  const load = spawn('docker', ['load', '-q'], { env: { ...process.env, ...to.cliEnv }, stdio: ['pipe', 'ignore', 'inherit'] });
  save.stdout.pipe(load.stdin);
  const exited = (p: ReturnType<typeof spawn>, what: string) =>
    new Promise<void>((resolve, reject) => p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited with ${code}`)))));
  await Promise.all([exited(save, 'docker save'), exited(load, 'docker load')]);
}

const inspectLocal = async () => JSON.parse(await docker('inspect', name))[0] as Inspect;
const inspectE2 = async () => JSON.parse(await dockerOn(e2, 'inspect', name))[0] as Inspect;
const repoDigests = (on: (...a: string[]) => Promise<string>, id: string) => on('image', 'inspect', '--format', '{{json .RepoDigests}}', id).then((s) => JSON.parse(s) as string[]);
/** The containers of this run on e2, by name. */
const mineOnE2 = async () => (await dockerOn(e2, 'ps', '-a', '--filter', `label=${TEST_LABEL}=${remote.runId}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);

before(async () => {
  await requireEngine();
  ({ e2 } = await requireTestEngines());
  remote = new Fixture(e2.cliEnv);
  repo = new TestRepository(await testRegistry(), local.runId);
  tag = `${repo.repo}:latest`;
  v1 = await repo.publish('v1', ['latest']);
  d1 = await repo.digest('latest');
  await docker('pull', '-q', tag);
  await copyImage(tag, e2);
  v2 = await repo.publish('v2', ['latest']);
  d2 = await repo.digest('latest');
  await docker('pull', '-q', tag);
  await local.run({ name, image: tag, stopSignalFast: true });
  await remote.run({ name, image: tag, stopSignalFast: true });
});
after(async () => {
  await Promise.all([local.cleanup(), remote?.cleanup()]);
  await repo?.cleanup();
  if (e2) {
    const ids = await dockerOn(e2, 'images', '-q', '--no-trunc', '--filter', `label=${TEST_LABEL}=${local.runId}`).catch(() => '');
    for (const id of new Set(ids.split('\n').filter(Boolean))) await dockerOn(e2, 'rmi', '-f', id).catch(() => undefined);
  }
});

async function engines(t: { after: (fn: () => Promise<void>) => void }, extra = ''): Promise<TestApp> {
  const file = writeEnginesFile((fn) => t.after(async () => fn()), [e2], extra);
  const app = await buildTestApp(t, { ENGINES_FILE: file, REGISTRY_INSECURE: repo.address }, { groups });
  await Promise.all(app.containers.engines.map((u) => (u.store.isSynced ? undefined : new Promise((resolve) => u.store.once('synced', () => resolve(undefined))))));
  return app;
}

async function check(app: TestApp, ref: string): Promise<Status> {
  const res = await app.inject({ method: 'POST', url: `/api/v1/updates/check?container=${ref}` });
  assert.equal(res.statusCode, 200, res.body);
  const updates = res.json<{ updates: Status[] }>().updates;
  assert.equal(updates.length, 1, res.body);
  return updates[0] as Status;
}

describe('image updates with several engines', () => {
  test('the set-up: one tag, v1 on e2 without RepoDigests, v2 on the first engine, where v1 has its RepoDigests', async () => {
    assert.deepEqual([(await inspectLocal()).Image, (await inspectE2()).Image], [v2, v1]);
    assert.deepEqual(await repoDigests(dockerOn.bind(null, e2), v1), [], 'e2 loaded v1: no digest from any registry');
    assert.deepEqual(await repoDigests(docker, v1), [`${repo.repo}@${d1}`], 'the first engine pulled v1');
    assert.notEqual(d1, d2);
  });

  test("a check of the e2 container reads e2's image: no RepoDigests there, so updateAvailable is null and the error names the image and e2", async (t) => {
    const app = await engines(t);
    const remoteId = (await inspectE2()).Id;
    const s = await check(app, `e2:${name}`);
    assert.deepEqual([s.engine, s.id, s.imageId], ['e2', remoteId, v1]);
    assert.deepEqual([s.updateAvailable, s.currentDigest, s.latestDigest], [null, null, d2], JSON.stringify(s));
    assert.match(s.error ?? '', new RegExp(`no digest from ${repo.repo.replace(/[.]/g, '\\.')} on engine e2`));
    // The first engine's container of the same name and tag: v2 there, current.
    const l = await check(app, `local:${name}`);
    assert.deepEqual([l.engine, l.imageId, l.updateAvailable, l.currentDigest, l.latestDigest], ['local', v2, false, d2, d2]);
  });

  test('the marks of two containers with the same name on both engines stay apart in the list and the details', async (t) => {
    const app = await engines(t);
    await check(app, `e2:${name}`);
    await check(app, `local:${name}`);
    const list = (await app.inject({ url: `/api/v1/containers?name=${name}` })).json<{ containers: { engine: string; name: string; update?: Status }[] }>();
    const mine = list.containers.filter((c) => c.name === name).map((c) => [c.engine, c.update?.updateAvailable, c.update?.currentDigest]);
    assert.deepEqual(mine.sort(), [['e2', null, null], ['local', false, d2]]);
    const details = async (ref: string) => (await app.inject({ url: `/api/v1/containers/${ref}` })).json<{ update?: Status }>().update?.updateAvailable;
    assert.deepEqual([await details(`e2:${name}`), await details(`local:${name}`)], [null, false]);
    const updates = (await app.inject({ url: '/api/v1/updates' })).json<{ updates: Status[] }>().updates.filter((u) => u.name === name);
    assert.deepEqual(updates.map((u) => [u.engine, u.updateAvailable]).sort(), [['e2', null], ['local', false]]);
  });

  test('the same container id on two engine names (one daemon configured twice) keeps one mark per engine', async (t) => {
    const app = await engines(t, '  - name: again\n    url: unix:///var/run/docker.sock\n');
    const id = (await inspectLocal()).Id;
    await check(app, `local:${name}`);
    const list = (await app.inject({ url: `/api/v1/containers?name=${name}` })).json<{ containers: { engine: string; id: string; update?: Status }[] }>();
    const same = list.containers.filter((c) => c.id === id).map((c) => [c.engine, c.update?.updateAvailable ?? 'unchecked']);
    assert.deepEqual(same.sort(), [['again', 'unchecked'], ['local', false]]);
  });

  test("a group spanning both engines: the plan steps across them, each member checked on its engine; the rollout pulls on e2 first, which fails, and touches neither engine's member", async (t) => {
    const app = await engines(t);
    const dry = await app.inject({ method: 'POST', url: `/api/v1/services/${G}/update?dryRun=true` });
    assert.equal(dry.statusCode, 200, dry.body);
    const plan = dry.json<Result>().steps.map((s) => s.members.map((m) => [m.engine, m.name, m.outcome]));
    assert.deepEqual(plan, [[['e2', name, 'unknown']], [['local', name, 'up-to-date']]]);
    const before = [await inspectE2(), await inspectLocal()].map((i) => [i.Id, i.Image, i.State.StartedAt]);
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${G}/update?stepTimeout=60` });
    assert.equal(res.statusCode, 409, res.body);
    const result = res.json<ErrorBody & { error: { details: { result: Result } } }>().error.details.result;
    assert.equal(result.failure?.phase, 'pull');
    assert.match(result.failure?.reason ?? '', /^pull failed on e2: /);
    assert.deepEqual(result.steps.map((s) => s.members.map((m) => [m.engine, m.outcome])), [[['e2', 'skipped']], [['local', 'skipped']]]);
    const now = [await inspectE2(), await inspectLocal()].map((i) => [i.Id, i.Image, i.State.StartedAt]);
    assert.deepEqual(now, before, 'neither engine was touched: the pulls come before any step');
  });

  test('a single update of the e2 container pulls on e2 (which cannot reach the registry): 409 naming e2, nothing changed on e2; on the first engine it succeeds', async (t) => {
    const app = await engines(t);
    const before = await inspectE2();
    await repo.retag('v1', 'latest'); // the first engine's container (v2) then has an update to v1
    const res = await app.inject({ method: 'POST', url: `/api/v1/containers/e2:${name}/update?stepTimeout=60` });
    assert.equal(res.statusCode, 409, res.body);
    const body = res.json<ErrorBody & { error: { details: { result: Result } } }>();
    assert.equal(body.error.code, 'UPDATE_FAILED');
    const result = body.error.details.result;
    assert.equal(result.failure?.phase, 'pull');
    assert.match(result.failure?.reason ?? '', new RegExp(`^pull failed on e2: ${tag.replace(/[.]/g, '\\.')}: `));
    assert.deepEqual(result.failure?.containers, [name]);
    assert.deepEqual(result.pulled, []);
    assert.deepEqual(result.steps.flatMap((s) => s.members.map((m) => [m.engine, m.id, m.outcome])), [['e2', before.Id, 'skipped']]);
    const now = await inspectE2();
    assert.deepEqual([now.Id, now.Image, now.State.StartedAt, now.State.Running], [before.Id, before.Image, before.State.StartedAt, true], 'the e2 container is as it was');
    assert.deepEqual(await mineOnE2(), [name], 'no other container on e2');
    assert.equal(await dockerOn(e2, 'image', 'inspect', '--format', '{{.Id}}', tag), v1, 'the tag on e2 still names v1');

    const localBefore = await inspectLocal();
    const ok = await app.inject({ method: 'POST', url: `/api/v1/containers/local:${name}/update?stepTimeout=60` });
    assert.equal(ok.statusCode, 200, ok.body);
    const done = ok.json<Result>();
    assert.deepEqual(done.pulled, [{ engine: 'local', image: tag, imageId: v1 }]);
    const localNow = await inspectLocal();
    assert.deepEqual(done.steps.flatMap((s) => s.members.map((m) => [m.engine, m.outcome, m.id, m.toImageId])), [['local', 'updated', localNow.Id, v1]]);
    assert.equal(localNow.Image, v1, 'the first engine re-created it on what latest names now');
    assert.notEqual(localNow.Id, localBefore.Id);
    assert.equal(localNow.State.Running, true);
    const still = await inspectE2();
    assert.deepEqual([still.Id, still.Image], [before.Id, before.Image], 'the e2 container of the same name was not touched');
  });
});
