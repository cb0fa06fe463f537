import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { docker, requireEngine, TEST_IMAGE, waitFor } from '../helpers/docker-cli.js';
import { untilInDir } from '../helpers/events.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'gdm-compose-'));
const projectsDir = join(root, 'projects');
const outside = join(root, 'outside');
const spawnLog = join(root, 'spawned.log');
const id = root.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const P = `gdmt${id}`;

/** The real docker-compose behind a wrapper that records every spawn: "no process spawned" is checkable. */
const wrapper = join(root, 'compose-wrapper.sh');
const hanging = join(root, 'compose-hang.sh');

function service(name: string): string {
  return `  ${name}:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n    labels:\n      gdm.test: "${P}"\n`;
}

before(async () => {
  await requireEngine();
  mkdirSync(join(projectsDir, P), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(projectsDir, P, 'docker-compose.yml'), `services:\n${service('web')}`);
  writeFileSync(join(projectsDir, P, 'docker-compose.worker.yml'), `services:\n${service('worker')}`);
  writeFileSync(join(outside, 'secret.env'), 'TOKEN=x\n');
  writeFileSync(join(outside, 'evil.yml'), `services:\n${service('evil')}`);
  symlinkSync(join(outside, 'evil.yml'), join(projectsDir, P, 'link.yml'));
  for (const [file, body] of Object.entries({
    'envfile.yml': `services:\n  a:\n    image: ${TEST_IMAGE}\n    env_file: ../../outside/secret.env\n`,
    'bind.yml': `services:\n  a:\n    image: ${TEST_IMAGE}\n    volumes: ["/etc:/host-etc:ro"]\n`,
    'extends.yml': `services:\n  a:\n    extends:\n      file: ../../outside/evil.yml\n      service: evil\n`,
    'include.yml': `include:\n  - ../../outside/evil.yml\nservices: {}\n`,
    'secret.yml': `services: {}\nsecrets:\n  s:\n    file: /etc/shadow\n`,
    'interp.yml': `services:\n  a:\n    image: ${TEST_IMAGE}\n    volumes: ["\${HOME}:/h"]\n`,
  })) {
    writeFileSync(join(projectsDir, P, file), body);
  }
  writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> '${spawnLog}'\nexec docker-compose "$@"\n`);
  writeFileSync(hanging, `#!/bin/sh\necho "$@" >> '${spawnLog}'\nsleep 300 &\necho $! > '${root}/child.pid'\necho started\nwait\n`);
  chmodSync(wrapper, 0o755);
  chmodSync(hanging, 0o755);
});

after(async () => {
  for (const project of [P, `${P}-adopted`, `${P}-core`, `${P}-found`]) {
    const ids = await docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`);
    if (ids) await docker('rm', '-f', ...ids.split('\n'));
    await docker('network', 'rm', `${project}_default`).catch(() => '');
  }
});

const spawned = () => (existsSync(spawnLog) ? readFileSync(spawnLog, 'utf8').trim().split('\n').filter(Boolean).length : 0);

async function appWith(t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}, command = wrapper): Promise<TestApp> {
  return buildTestApp(t, { COMPOSE_PROJECTS_DIR: projectsDir, ...env }, { composeTool: { command: [command], version: '1.29.2', major: 1 } });
}

async function stateOf(project: string): Promise<string[]> {
  const out = await docker('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Label "com.docker.compose.service"}}={{.State}}');
  return out.split('\n').filter(Boolean).sort();
}

describe('compose projects with docker-compose v1', () => {
  test('up with two files, status during and after, down — checked against the engine', async (t) => {
    const app = await appWith(t);
    const up = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, files: ['docker-compose.yml', 'docker-compose.worker.yml'] } });
    assert.equal(up.statusCode, 200, up.body);
    const result = up.json() as { exitCode: number; durationMs: number; output: string; command: string[] };
    assert.equal(result.exitCode, 0);
    assert.match(result.output, /Creating/);
    assert.deepEqual(result.command.slice(-3), ['up', '-d', '--no-build']);
    assert.deepEqual(await stateOf(P), ['web=running', 'worker=running']);

    const status = await waitFor(
      async () => (await app.inject({ url: `/api/v1/compose/status?project=${P}` })).json() as { status: string; services: { name: string; containers: { state: string }[] }[] },
      (s) => s.status === 'running' && s.services.length === 2,
      10_000,
    );
    assert.deepEqual(status.services.map((s) => [s.name, s.containers[0]?.state]), [['web', 'running'], ['worker', 'running']], 'within 10 s the status shows both services running');
    const projects = (await app.inject({ url: '/api/v1/compose/projects' })).json() as { tool: { command: string }; projects: { name: string; source: string; managed: boolean; services: string[]; status: string }[] };
    const mine = projects.projects.find((p) => p.name === P);
    assert.deepEqual([mine?.source, mine?.managed, mine?.status], ['directory', true, 'running']);

    const down = await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: P, files: ['docker-compose.yml', 'docker-compose.worker.yml'], options: { timeout: 1 } } });
    assert.equal(down.statusCode, 200, down.body);
    assert.deepEqual(await stateOf(P), []);
    const after = await waitFor(
      async () => (await app.inject({ url: `/api/v1/compose/status?project=${P}` })).json() as { status: string },
      (s) => s.status === 'absent',
      10_000,
    );
    assert.equal(after.status, 'absent', 'within 10 s the status shows the project gone');
  });

  test('output streams as Server-Sent Events when asked', async (t) => {
    const app = await appWith(t);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const res = await fetch(`${url}/api/v1/compose/up`, {
      method: 'POST',
      headers: { ...app.authHeaders, accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ project: P, services: ['web'] }),
    });
    const text = await res.text();
    assert.match(text, /event: accepted/);
    assert.match(text, /event: output\ndata: \{"stream":"stderr","text":"Creating/);
    assert.match(text, /event: result\ndata: \{"project":"[^"]+","action":"up".*"exitCode":0/);
    assert.deepEqual(await stateOf(P), ['web=running']);
    await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: P, options: { timeout: 1 } } });
  });

  test('a project started elsewhere is adopted: listed with status, but up/down refuse it', async (t) => {
    const app = await appWith(t);
    const dir = join(outside, 'adopted');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'docker-compose.yml'), `services:\n${service('solo')}`);
    await run('docker-compose', ['-p', `${P}-adopted`, 'up', '-d'], { cwd: dir });
    const projects = await waitFor(
      async () => (await app.inject({ url: '/api/v1/compose/projects' })).json() as { projects: { name: string; source: string; managed: boolean; dir: string; files: string[]; status: string }[] },
      (b) => b.projects.some((p) => p.name === `${P}-adopted`),
      10_000,
    );
    assert.ok(projects.projects.some((p) => p.name === `${P}-adopted`), 'within 10 s the project started elsewhere is listed');
    const adopted = projects.projects.find((p) => p.name === `${P}-adopted`);
    assert.deepEqual([adopted?.source, adopted?.managed, adopted?.dir, adopted?.files, adopted?.status], ['adopted', false, dir, ['docker-compose.yml'], 'running']);
    const status = (await app.inject({ url: `/api/v1/compose/status?project=${P}-adopted` })).json() as { services: { name: string }[] };
    assert.deepEqual(status.services.map((s) => s.name), ['solo']);
    const before = spawned();
    const res = await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: `${P}-adopted` } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json<ErrorBody>().error.code, 'COMPOSE_NOT_MANAGED');
    assert.equal(spawned(), before, 'nothing ran');
    assert.deepEqual(await stateOf(`${P}-adopted`), ['solo=running']);
  });

  test('traversal and injection in names and files → 400, and no process spawned', async (t) => {
    const app = await appWith(t);
    const before = spawned();
    const bad: unknown[] = [
      { project: '../x' },
      { project: '%2e%2e' },
      { project: '/etc' },
      { project: `${P};rm -rf /` },
      { project: '$(reboot)' },
      { project: '-p' },
      { project: P, files: ['../outside/evil.yml'] },
      { project: P, files: ['/etc/passwd.yml'] },
      { project: P, files: ['%2e%2e%2fx.yml'] },
      { project: P, files: ['-f.yml'] },
      { project: P, files: ['a;b.yml'] },
      { project: P, files: ['$(id).yml'] },
      { project: P, services: ['--privileged'] },
      { project: P, services: ['web;id'] },
      { project: P, options: { build: false, exec: 'id' } },
    ];
    for (const payload of bad) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: payload as object });
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)} → ${res.body}`);
    }
    for (const file of ['link.yml', 'envfile.yml', 'bind.yml', 'extends.yml', 'include.yml', 'secret.yml', 'interp.yml']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, files: [file] } });
      assert.equal(res.statusCode, 400, `${file} → ${res.body}`);
      assert.equal(res.json<ErrorBody>().error.code, 'COMPOSE_UNSAFE', file);
    }
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, services: ['nope'] } });
    assert.equal(unknown.statusCode, 400);
    const pull = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, options: { pull: true } } });
    assert.equal(pull.statusCode, 403, 'pulls are off unless allowed');
    assert.equal(spawned(), before, 'no compose process was spawned for any of these');
    assert.deepEqual(await stateOf(P), []);
  });

  test('one operation per project: a concurrent up is 409', async (t) => {
    const app = await appWith(t);
    const before = spawned();
    const first = app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, services: ['web'] } });
    // The project's lock is taken before the first spawn (the model check) and held until up ends.
    await untilInDir(root, () => spawned() > before, 10_000, 'the first up to spawn compose (it holds the lock from then on)');
    const second = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, services: ['web'] } });
    assert.equal(second.statusCode, 409);
    assert.equal(second.json<ErrorBody>().error.code, 'COMPOSE_BUSY');
    assert.equal((await first).statusCode, 200);
    await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: P, options: { timeout: 1 } } });
  });

  test('a hanging command hits its timeout: the tool and its children are killed and the lock freed', async (t) => {
    const app = await appWith(t, { COMPOSE_TIMEOUT_SECONDS: '5' }, hanging);
    const started = Date.now();
    const res = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, services: ['web'] } });
    assert.equal(res.statusCode, 409);
    const body = res.json() as ErrorBody & { error: { details: { result: { timedOut: boolean; output: string } } } };
    assert.equal(body.error.code, 'COMPOSE_FAILED');
    assert.match(body.error.message, /timed out/);
    assert.equal(body.error.details.result.timedOut, true);
    assert.match(body.error.details.result.output, /started/);
    assert.ok(Date.now() - started < 12_000);
    const child = Number(readFileSync(join(root, 'child.pid'), 'utf8'));
    const gone = await waitFor(async () => {
      try {
        process.kill(child, 0);
        return false;
      } catch {
        return true;
      }
    }, (g) => g, 5000);
    assert.equal(gone, true, 'the child the tool started is gone too');
    const again = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, services: ['web'] } });
    assert.notEqual(again.json<ErrorBody>().error.code, 'COMPOSE_BUSY', 'the lock was freed');
  });

  test('declared projects: several projects in one folder, each with its own files', async (t) => {
    const deploy = join(root, 'deploy');
    mkdirSync(deploy, { recursive: true });
    writeFileSync(join(deploy, 'docker-compose.foundation.yml'), `services:\n${service('db')}`);
    writeFileSync(join(deploy, 'docker-compose.core.yml'), `services:\n${service('api')}`);
    const declared = join(root, 'projects.yml');
    writeFileSync(declared, `projects:\n  ${P}-found:\n    dir: ${deploy}\n    files: [docker-compose.foundation.yml]\n  ${P}-core:\n    dir: ${deploy}\n    files: [docker-compose.core.yml]\n`);
    const app = await appWith(t, { COMPOSE_PROJECTS_FILE: declared });
    const up = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: `${P}-found` } });
    assert.equal(up.statusCode, 200, up.body);
    assert.deepEqual(await stateOf(`${P}-found`), ['db=running']);
    assert.deepEqual(await stateOf(`${P}-core`), []);
    const list = (await app.inject({ url: '/api/v1/compose/projects' })).json() as { projects: { name: string; source: string; services: string[] }[] };
    assert.deepEqual(list.projects.find((p) => p.name === `${P}-core`)?.services, ['api']);
    await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: `${P}-found`, options: { timeout: 1 } } });
    assert.deepEqual(await stateOf(`${P}-found`), []);
  });

  test('compose up needs WRITE and down DELETE: a developer is refused and nothing runs', async (t) => {
    const app = await appWith(t);
    const before = spawned();
    const headers = { authorization: `Bearer ${await app.tokenFor('developer')}` };
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P }, headers })).statusCode, 403);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: P }, headers })).statusCode, 403);
    assert.equal(spawned(), before);
  });
});
