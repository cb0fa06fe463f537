import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody } from '../helpers/app.js';
import { docker, Fixture, requireEngine, TEST_IMAGE, TEST_LABEL } from '../helpers/docker-cli.js';
import { TestRepository, testRegistry } from '../helpers/test-registry.js';
import { parseGroups } from '../../src/groups/load.js';

interface Inspect {
  Id: string;
  Name: string;
  Image: string;
  State: { Running: boolean; Health?: { Status: string } };
  Config: { Labels: Record<string, string>; Env: string[] };
}
interface Member {
  id: string;
  name: string;
  kind: string;
  outcome: string;
  error?: string;
}
interface Result {
  ok: boolean;
  steps: { members: Member[] }[];
  failure?: { step: number; containers: string[]; reason: string };
}

/** A managed compose project (COMPOSE_PROJECTS_DIR/<project>/docker-compose.yml), run with docker-compose v1. */
const fixture = new Fixture();
const root = mkdtempSync(join(tmpdir(), 'gdm-updc-'));
const projectsDir = join(root, 'projects');
/** docker-compose behind a wrapper that records each call's arguments. */
const wrapper = join(root, 'compose-wrapper.sh');
const spawnLog = join(root, 'spawned.log');
const upCalls = () => (existsSync(spawnLog) ? readFileSync(spawnLog, 'utf8').split('\n').filter((l) => / up /.test(l)) : []);
const P = `gdmtupd${fixture.runId}`;
const G = `updcompose-${fixture.runId}`;
const WORKERS = `updworkers-${fixture.runId}`;
const groups = parseGroups({
  groups: { [G]: { members: [{ compose: { project: P, service: 'app' } }] }, [WORKERS]: { members: [{ compose: { project: P, service: 'worker' } }] } },
});
let repo: TestRepository;
let env: Record<string, string>;

const inspect = async (ref: string) => JSON.parse(await docker('inspect', ref))[0] as Inspect;
const imageId = (ref: string) => docker('image', 'inspect', '--format', '{{.Id}}', ref);
/** The project's containers (compose's own labels find them), all or of one service. */
const containersOf = async (service?: string) =>
  (await docker('ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${P}`, ...(service ? ['--filter', `label=com.docker.compose.service=${service}`] : []))).split('\n').filter(Boolean);
/** The compose labels that make the container the project's service, and ours. */
const composeLabels = (i: Inspect) =>
  Object.fromEntries(Object.entries(i.Config.Labels).filter(([k]) => k.startsWith('com.docker.compose.') && !['com.docker.compose.config-hash', 'com.docker.compose.container-number'].includes(k)));

before(async () => {
  await requireEngine();
  repo = new TestRepository(await testRegistry(), fixture.runId);
  await repo.publish('v1', ['latest']);
  mkdirSync(join(projectsDir, P), { recursive: true });
  writeFileSync(
    join(projectsDir, P, 'docker-compose.yml'),
    [
      'services:',
      '  side:',
      `    image: ${TEST_IMAGE}`,
      '    command: ["sleep", "3600"]',
      '    stop_grace_period: 1s',
      '    labels:',
      `      ${TEST_LABEL}: "${fixture.runId}"`,
      '  worker:',
      `    image: ${repo.repo}:latest`,
      '    command: ["sleep", "3600"]',
      '    scale: 2',
      '    stop_grace_period: 1s',
      '    labels:',
      `      ${TEST_LABEL}: "${fixture.runId}"`,
      '  app:',
      '    depends_on: [side]',
      `    image: ${repo.repo}:latest`,
      '    command: ["sleep", "3600"]',
      '    stop_grace_period: 1s',
      '    environment:',
      '      APP_MODE: compose',
      '    labels:',
      `      ${TEST_LABEL}: "${fixture.runId}"`,
      '',
    ].join('\n'),
  );
  writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> '${spawnLog}'\nexec docker-compose "$@"\n`);
  chmodSync(wrapper, 0o755);
  // The project is brought up by compose itself, as an operator would have (the engine pulls v1).
  await docker('pull', '-q', `${repo.repo}:latest`);
  await promisify(execFile)('docker-compose', ['-p', P, '--project-directory', join(projectsDir, P), '-f', join(projectsDir, P, 'docker-compose.yml'), 'up', '-d'], { timeout: 120_000 });
  env = { REGISTRY_INSECURE: repo.address, COMPOSE_PROJECTS_DIR: projectsDir, ADMIN_SERVICES: `${G},${WORKERS}` };
});
after(async () => {
  const ids = await containersOf().catch(() => []);
  if (ids.length) await docker('rm', '-f', ...ids).catch(() => undefined);
  await docker('network', 'rm', `${P}_default`).catch(() => undefined);
  await fixture.cleanup();
  await repo?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

const appWith = (t: Parameters<typeof buildTestApp>[0]) => buildTestApp(t, env, { groups, composeTool: { command: [wrapper], version: '1.29.2', major: 1 } });

describe('image updates of a compose-managed member (docker-compose v1)', () => {
  test('v2 pushed: the group update re-creates the service through compose (--no-deps --force-recreate); it runs v2 with its compose labels', async (t) => {
    const [oldId] = await containersOf('app');
    const [sideId] = await containersOf('side');
    const workerIds = (await containersOf('worker')).sort();
    const before = await inspect(oldId as string);
    await repo.publish('v2', ['latest']);
    const app = await appWith(t);
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${G}/update?stepTimeout=60` });
    assert.equal(res.statusCode, 200, res.body);
    const result = res.json<Result>();
    assert.deepEqual(result.steps.map((s) => s.members.map((m) => [m.kind, m.outcome])), [[['compose', 'updated']]]);
    assert.deepEqual(upCalls().map((l) => l.split(' up ')[1]), ['-d --force-recreate --no-deps --no-build -- app'], 'one compose up of the service, without its dependencies');
    assert.deepEqual(await containersOf('side'), [sideId], 'the service it depends on was left alone (--no-deps)');
    assert.deepEqual((await containersOf('worker')).sort(), workerIds, 'another service of the project: left alone');
    const ids = await containersOf('app');
    assert.equal(ids.length, 1, 'one container for the service: the old one is gone');
    const now = await inspect(ids[0] as string);
    assert.notEqual(now.Id, before.Id, 'a new container');
    assert.equal(result.steps[0]?.members[0]?.id, now.Id, 'the answer names the new container');
    assert.equal(now.Image, await imageId(`${repo.repo}:latest`), 'it runs v2');
    assert.equal(now.State.Running, true);
    assert.deepEqual(composeLabels(now), composeLabels(before), 'project, service, working dir, config files: as they were');
    assert.equal(now.Config.Labels[TEST_LABEL], fixture.runId);
    assert.ok(now.Config.Env.includes('APP_MODE=compose'));
    const audit = (await app.inject({ url: '/api/v1/audit?action=UPDATE%20recreate' })).json<{ entries: { target: string; outcome: string; details?: { body?: { kind?: string } } }[] }>();
    assert.deepEqual(audit.entries.map((e) => [e.target, e.outcome]), [[before.Name.replace(/^\//, ''), 'allowed']]);
  });

  test('a scaled service (two replicas, one step): one compose up re-creates both; each member maps to its replica by number', async (t) => {
    const before = await Promise.all((await containersOf('worker')).map(inspect));
    assert.equal(before.length, 2);
    const calls = upCalls().length;
    const app = await appWith(t);
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${WORKERS}/update?stepTimeout=60` });
    assert.equal(res.statusCode, 200, res.body);
    const members = res.json<Result>().steps.flatMap((s) => s.members);
    assert.deepEqual(members.map((m) => m.outcome), ['updated', 'updated']);
    assert.deepEqual(upCalls().slice(calls).map((l) => l.split(' up ')[1]), ['-d --force-recreate --no-deps --no-build -- worker'], 'one compose up for the service, not one per replica');
    const now = await Promise.all((await containersOf('worker')).map(inspect));
    assert.equal(now.length, 2, 'still two replicas');
    const v2 = await imageId(`${repo.repo}:latest`);
    const number = (i: Inspect) => i.Config.Labels['com.docker.compose.container-number'];
    for (const b of before) {
      const m = members.find((x) => x.name === b.Name.replace(/^\//, ''));
      const n = now.find((i) => i.Id === m?.id);
      assert.ok(n, `${b.Name}: the answer names its new container`);
      assert.equal(number(n), number(b), 'the same replica number');
      assert.equal(n.Image, v2);
      assert.equal(n.State.Running, true);
      assert.ok(!before.some((x) => x.Id === n.Id), 'a new container');
    }
  });

  test('v3 pushed (failing healthcheck): the step fails, compose puts the service back on v2, healthy', async (t) => {
    const [v2Id] = await containersOf('app');
    const before = await inspect(v2Id as string);
    const calls = upCalls().length;
    await repo.publish('v3', ['latest']);
    const app = await appWith(t);
    // v3 never turns healthy; the step timeout leaves a loaded engine time for its first check and for v2's on the way back.
    const res = await app.inject({ method: 'POST', url: `/api/v1/services/${G}/update?stepTimeout=20` });
    assert.equal(res.statusCode, 409, res.body);
    const body = res.json<ErrorBody & { error: { details: { result: Result } } }>();
    assert.equal(body.error.code, 'UPDATE_FAILED');
    assert.match(body.error.details.result.failure?.reason ?? '', /not up after 20 s \(health unhealthy/, res.body);
    const [member] = body.error.details.result.steps[0]?.members ?? [];
    assert.equal(member?.kind, 'compose');
    assert.match(member?.error ?? '', /; put back on its previous image$/, 'the rollback itself passed its gate');
    assert.equal(upCalls().length - calls, 2, 'the update and the rollback: each one compose up of the service');
    const ids = await containersOf('app');
    assert.equal(ids.length, 1, 'one container for the service');
    const now = await inspect(ids[0] as string);
    assert.equal(now.Image, before.Image, 'back on v2');
    assert.equal(now.State.Health?.Status, 'healthy', res.body);
    assert.deepEqual(composeLabels(now), composeLabels(before));
    assert.equal(await imageId(`${repo.repo}:latest`), before.Image, 'the tag points at v2 again: a later compose up keeps v2');
  });
});
