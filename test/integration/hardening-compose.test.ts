import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { docker, requireEngine, TEST_IMAGE } from '../helpers/docker-cli.js';

const root = mkdtempSync(join(tmpdir(), 'gdm-hcompose-'));
const projectsDir = join(root, 'projects');
const outside = join(root, 'outside');
const spawnLog = join(root, 'spawned.log');
const id = root.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
/** Project names carry this run's id: cleanup touches only what this file made. */
const P = `gdmh${id}`;
const TRUSTED = `${P}-trusted`;
const UNTRUSTED = `${P}-plain`;
const wrapper = join(root, 'compose-wrapper.sh');

/** One service running the local test image (never pulled), labelled as a test container. */
function service(name: string, extra = ''): string {
  return `  ${name}:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n    labels:\n      gdm.test: "${P}"\n${extra}`;
}

/** File → [what the refusal must name]; each file gives a container the host in one way. */
const ESCAPES: Record<string, { body: string; names: string[] }> = {
  'driver-opts.yml': {
    body: `services:\n${service('a', '    volumes: ["hostetc:/host-etc:ro"]\n')}volumes:\n  hostetc:\n    driver_opts: {type: none, o: bind, device: /etc}\n`,
    names: ['volumes.hostetc.driver_opts.device', 'services.a'],
  },
  'driver-opts-long.yml': {
    body: `services:\n${service('a', '    volumes:\n      - type: volume\n        source: hostroot\n        target: /h\n')}volumes:\n  hostroot:\n    driver: local\n    driver_opts:\n      type: none\n      o: rbind,ro\n      device: /\n`,
    names: ['volumes.hostroot.driver_opts.device', 'services.a'],
  },
  'driver-opts-env.yml': {
    // The path only exists after compose interpolates it from the project's .env.
    body: `services:\n${service('a', '    volumes: ["v:/v"]\n')}volumes:\n  v:\n    driver_opts: {type: none, o: bind, device: "\${HOST_DIR}"}\n`,
    names: ['volumes.v.driver_opts.device', 'services.a'],
  },
  'driver-opts-socket.yml': {
    body: `services:\n${service('a', '    volumes: ["sock:/var/run/docker.sock"]\n')}volumes:\n  sock:\n    driver_opts: {type: none, o: bind, device: /var/run/docker.sock}\n`,
    names: ['volumes.sock.driver_opts.device', 'Docker socket'],
  },
  'privileged.yml': { body: `services:\n${service('a', '    privileged: true\n')}`, names: ['services.a.privileged'] },
  'merge-key.yml': {
    // A YAML merge key: the raw file has no `privileged` under the service, compose's model has.
    body: `x-base: &base\n  privileged: true\nservices:\n  a:\n    <<: *base\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`,
    names: ['services.a.privileged'],
  },
  'pid.yml': { body: `services:\n${service('a', '    pid: host\n')}`, names: ['services.a.pid'] },
  'ipc.yml': { body: `services:\n${service('a', '    ipc: host\n')}`, names: ['services.a.ipc'] },
  'network.yml': { body: `services:\n${service('a', '    network_mode: host\n')}`, names: ['services.a.network_mode'] },
  'host-network.yml': {
    body: `services:\n${service('a')}networks:\n  default:\n    external: true\n    name: host\n`,
    names: ['networks.default', 'services.a'],
  },
  'devices.yml': { body: `services:\n${service('a', '    devices: ["/dev/null:/dev/xnull"]\n')}`, names: ['services.a.devices'] },
  'cap-add.yml': { body: `services:\n${service('a', '    cap_add: [SYS_ADMIN]\n')}`, names: ['services.a.cap_add'] },
  'seccomp.yml': { body: `services:\n${service('a', '    security_opt: ["seccomp:unconfined"]\n')}`, names: ['services.a.security_opt'] },
  'apparmor.yml': { body: `services:\n${service('a', '    security_opt: ["apparmor=unconfined"]\n')}`, names: ['services.a.security_opt'] },
  'label.yml': { body: `services:\n${service('a', '    security_opt: ["label:disable"]\n')}`, names: ['services.a.security_opt'] },
  'userns.yml': { body: `services:\n${service('a', '    userns_mode: host\n')}`, names: ['services.a.userns_mode'] },
  'socket.yml': { body: `services:\n${service('a', '    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n')}`, names: ['services.a.volumes', 'Docker socket'] },
  'run-socket.yml': {
    body: `services:\n${service('a', '    volumes:\n      - type: bind\n        source: /run/docker.sock\n        target: /s\n')}`,
    names: ['services.a.volumes', 'Docker socket'],
  },
  'volumes-from.yml': { body: `services:\n${service('a', '    volumes_from: ["container:some-other"]\n')}`, names: ['services.a.volumes_from'] },
};

/** Refused from the raw files, before `config` could read what they point at: nothing spawns. */
const RAW_REFUSALS: Record<string, { body: string; names: string[] }> = {
  'merge-envfile.yml': {
    body: `x-env: &env\n  env_file: ../../outside/secret.env\nservices:\n  a:\n    <<: *env\n    image: ${TEST_IMAGE}\n`,
    names: ['services.a.env_file'],
  },
  'label-file.yml': { body: `services:\n${service('a', '    label_file: ../../outside/secret.env\n')}`, names: ['services.a.label_file'] },
  'remote-include.yml': { body: `include:\n  - https://example.com/compose.yml\nservices: {}\n`, names: ['include'] },
  // Compose v2 reads the .env next to an included file; this one leads out of the folder.
  'include-dotenv.yml': { body: `include:\n  - sub/inc.yml\nservices: {}\n`, names: ['sub/.env'] },
};

before(async () => {
  await requireEngine();
  mkdirSync(join(projectsDir, P), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.env'), 'TOKEN=x\n');
  writeFileSync(join(projectsDir, P, '.env'), 'HOST_DIR=/etc\n');
  writeFileSync(join(projectsDir, P, 'docker-compose.yml'), `services:\n${service('web')}`);
  for (const [file, { body }] of Object.entries({ ...ESCAPES, ...RAW_REFUSALS })) writeFileSync(join(projectsDir, P, file), body);
  mkdirSync(join(projectsDir, P, 'sub'));
  writeFileSync(join(projectsDir, P, 'sub', 'inc.yml'), `services:\n${service('inc')}`);
  symlinkSync(join(outside, 'secret.env'), join(projectsDir, P, 'sub', '.env'));
  // A project whose .env leads out of its folder: compose would read it to interpolate.
  mkdirSync(join(projectsDir, `${P}-dotenv`));
  writeFileSync(join(projectsDir, `${P}-dotenv`, 'docker-compose.yml'), `services:\n${service('web')}`);
  symlinkSync(join(outside, 'secret.env'), join(projectsDir, `${P}-dotenv`, '.env'));
  writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> '${spawnLog}'\nexec docker-compose "$@"\n`);
  chmodSync(wrapper, 0o755);
});

after(async () => {
  for (const project of [P, TRUSTED, UNTRUSTED, `${P}-dotenv`]) {
    const ids = await docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`);
    if (ids) await docker('rm', '-f', ...ids.split('\n'));
    await docker('network', 'rm', `${project}_default`).catch(() => '');
    const volumes = await docker('volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`);
    if (volumes) await docker('volume', 'rm', ...volumes.split('\n'));
  }
});

/** The compose runs the wrapper recorded, by action: `config`, `up`, `down`. */
function spawns(project: string): string[] {
  if (!existsSync(spawnLog)) return [];
  return readFileSync(spawnLog, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`-p ${project} `))
    .map((l) => (/ (config|up|down)( |$)/.exec(l)?.[1] ?? l));
}

async function appWith(t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}, extra: Parameters<typeof buildTestApp>[2] = {}): Promise<TestApp> {
  return buildTestApp(t, { COMPOSE_PROJECTS_DIR: projectsDir, ...env }, { composeTool: { command: [wrapper], version: '1.29.2', major: 1 }, ...extra });
}

async function containersOf(project: string): Promise<string[]> {
  const out = await docker('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Label "com.docker.compose.service"}}={{.State}}');
  return out.split('\n').filter(Boolean).sort();
}

describe('compose: the model compose resolves is checked, and what gives a container the host is refused', () => {
  test('each escape → 400 COMPOSE_UNSAFE naming file, service and key; up never ran', async (t) => {
    const app = await appWith(t);
    for (const [file, { names }] of Object.entries(ESCAPES)) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, files: [file] } });
      assert.equal(res.statusCode, 400, `${file} → ${res.body}`);
      const { error } = res.json<ErrorBody>();
      assert.equal(error.code, 'COMPOSE_UNSAFE', file);
      assert.ok(error.message.startsWith(`${file}:`), `${file}: the message names the file: ${error.message}`);
      for (const name of names) assert.ok(error.message.includes(name), `${file}: the message names ${name}: ${error.message}`);
    }
    assert.ok(!spawns(P).includes('up'), `up never ran: ${spawns(P).join(', ')}`);
    assert.deepEqual(await containersOf(P), []);
    const volumes = await docker('volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${P}`);
    assert.equal(volumes, '', 'no volume was created either');
  });

  test('the driver_opts bind volume cannot read the host: refused before up, the file stays unread', async (t) => {
    const app = await appWith(t);
    const res = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, files: ['driver-opts.yml'] } });
    assert.equal(res.statusCode, 400, res.body);
    const { error } = res.json<ErrorBody>();
    assert.equal(error.code, 'COMPOSE_UNSAFE');
    assert.match(error.message, /^driver-opts\.yml: .*volumes\.hostetc\.driver_opts\.device "\/etc".*services\.a/);
    assert.deepEqual(spawns(P).filter((a) => a === 'up'), []);
    assert.deepEqual(await containersOf(P), []);
  });

  test('env_file or label_file behind a merge key, a remote include, a .env leading outside → refused before compose runs at all', async (t) => {
    const app = await appWith(t);
    const before = spawns(P).length;
    for (const [file, { names }] of Object.entries(RAW_REFUSALS)) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, files: [file] } });
      assert.equal(res.statusCode, 400, `${file} → ${res.body}`);
      const { error } = res.json<ErrorBody>();
      assert.equal(error.code, 'COMPOSE_UNSAFE', file);
      for (const name of names) assert.ok(error.message.includes(name), `${file}: the message names ${name}: ${error.message}`);
    }
    assert.equal(spawns(P).length, before, 'not even `config` ran');
    const dotenv = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: `${P}-dotenv` } });
    assert.equal(dotenv.statusCode, 400, dotenv.body);
    assert.equal(dotenv.json<ErrorBody>().error.code, 'COMPOSE_UNSAFE');
    assert.match(dotenv.json<ErrorBody>().error.message, /\.env/);
    assert.deepEqual(spawns(`${P}-dotenv`), []);
  });

  test('a project declared trusted may run privileged; the same files not declared trusted are refused', async (t) => {
    const deploy = join(root, 'trusted');
    mkdirSync(deploy, { recursive: true });
    writeFileSync(join(deploy, 'docker-compose.yml'), `services:\n${service('priv', '    privileged: true\n')}`);
    const declared = join(root, 'trusted-projects.yml');
    writeFileSync(
      declared,
      `projects:\n  ${TRUSTED}:\n    dir: ${deploy}\n    files: [docker-compose.yml]\n    trusted: true\n  ${UNTRUSTED}:\n    dir: ${deploy}\n    files: [docker-compose.yml]\n`,
    );
    const app = await appWith(t, { COMPOSE_PROJECTS_FILE: declared });
    const refused = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: UNTRUSTED } });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.json<ErrorBody>().error.message, /^docker-compose\.yml: services\.priv\.privileged true gives the container the host/);
    assert.deepEqual(spawns(UNTRUSTED), ['config']);
    assert.deepEqual(await containersOf(UNTRUSTED), []);

    const up = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: TRUSTED } });
    assert.deepEqual(spawns(TRUSTED), ['config', 'up'], 'the policy let the trusted project through to up');
    const id = await docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${TRUSTED}`);
    assert.equal(await docker('inspect', '--format', '{{.HostConfig.Privileged}}', id), 'true', 'the engine holds it as privileged');
    // A sandboxed engine (this CI's) cannot start privileged containers: runc "unable to apply caps".
    if (up.statusCode !== 200) assert.match(up.json<ErrorBody>().error.message + up.body, /unable to apply caps/, up.body);
    else assert.deepEqual(await containersOf(TRUSTED), ['priv=running']);
    const down = await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: TRUSTED, options: { timeout: 1 } } });
    assert.equal(down.statusCode, 200, down.body);
    assert.deepEqual(await containersOf(TRUSTED), []);
  });

  test('a trusted project runs with the host: pid and network host, cap_add, the Docker socket', async (t) => {
    const deploy = join(root, 'trusted-host');
    mkdirSync(deploy, { recursive: true });
    const extra = '    pid: host\n    network_mode: host\n    cap_add: [SYS_ADMIN]\n    security_opt: ["seccomp:unconfined"]\n    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n';
    writeFileSync(join(deploy, 'docker-compose.yml'), `services:\n${service('hostly', extra)}`);
    const declared = join(root, 'trusted-host-projects.yml');
    writeFileSync(declared, `projects:\n  ${TRUSTED}:\n    dir: ${deploy}\n    files: [docker-compose.yml]\n    trusted: true\n`);
    const app = await appWith(t, { COMPOSE_PROJECTS_FILE: declared });
    const up = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: TRUSTED } });
    assert.equal(up.statusCode, 200, up.body);
    assert.deepEqual(await containersOf(TRUSTED), ['hostly=running']);
    const id = await docker('ps', '-q', '--filter', `label=com.docker.compose.project=${TRUSTED}`);
    const host = JSON.parse(await docker('inspect', '--format', '{{json .HostConfig}}', id)) as { PidMode: string; NetworkMode: string; CapAdd: string[]; Binds: string[] };
    assert.deepEqual([host.PidMode, host.NetworkMode, host.CapAdd], ['host', 'host', ['SYS_ADMIN']]);
    assert.ok(host.Binds.some((b) => b.startsWith('/var/run/docker.sock:')), JSON.stringify(host.Binds));
    const down = await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: TRUSTED, options: { timeout: 1 } } });
    assert.equal(down.statusCode, 200, down.body);
    assert.deepEqual(await containersOf(TRUSTED), []);
  });

  test('a safe project still comes up after its model is checked', async (t) => {
    const app = await appWith(t);
    const up = await app.inject({ method: 'POST', url: '/api/v1/compose/up', payload: { project: P, files: ['docker-compose.yml'] } });
    assert.equal(up.statusCode, 200, up.body);
    assert.deepEqual(await containersOf(P), ['web=running']);
    const down = await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project: P, files: ['docker-compose.yml'], options: { timeout: 1 } } });
    assert.equal(down.statusCode, 200, down.body);
    assert.deepEqual(await containersOf(P), []);
  });
});

interface Health {
  compose: { projectsFile?: { path: string; valid: boolean; reason?: string } } | null;
}

describe('compose: a projects file broken while the service runs', () => {
  test('broken → the last good projects are served and /health says why; fixed → picked up without a restart', async (t) => {
    const deploy = join(root, 'live');
    mkdirSync(deploy, { recursive: true });
    writeFileSync(join(deploy, 'a.yml'), `services:\n${service('a')}`);
    writeFileSync(join(deploy, 'b.yml'), `services:\n${service('b')}`);
    const file = join(root, 'live-projects.yml');
    const A = `${P}-live-a`;
    const B = `${P}-live-b`;
    writeFileSync(file, `projects:\n  ${A}: { dir: ${deploy}, files: [a.yml] }\n`);
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    const app = await appWith(t, { COMPOSE_PROJECTS_FILE: file, COMPOSE_PROJECTS_DIR: join(root, 'none') }, { logger: pino({ level: 'info' }, sink) });
    const names = async () => {
      const res = await app.inject({ url: '/api/v1/compose/projects' });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { projects: { name: string }[] }).projects.map((p) => p.name).filter((n) => n.startsWith(`${P}-live`));
    };
    const health = async () => (await app.inject({ url: '/health' })).json() as Health;
    assert.deepEqual(await names(), [A]);
    assert.deepEqual((await health()).compose?.projectsFile, { path: file, valid: true });

    writeFileSync(file, `projects:\n  ${A}: { dir: ${deploy}, files: [a.yml]\n`);
    for (let i = 0; i < 3; i += 1) assert.deepEqual(await names(), [A], 'the last good projects are still served');
    const status = await app.inject({ url: `/api/v1/compose/status?project=${A}` });
    assert.equal(status.statusCode, 200, status.body);
    const broken = (await health()).compose?.projectsFile;
    assert.equal(broken?.valid, false);
    assert.match(broken?.reason ?? '', /YAML|flow|collection/i);
    const warnings = lines.filter((l) => l.level === 40 && /projects file/i.test(l.msg));
    assert.equal(warnings.length, 1, `logged once, not per request: ${JSON.stringify(warnings)}`);
    assert.ok(warnings[0]?.msg.includes(file));

    writeFileSync(file, `projects:\n  ${A}: { dir: ${deploy}, files: [a.yml] }\n  ${B}: { dir: ${deploy}, files: [b.yml] }\n`);
    assert.deepEqual(await names(), [A, B], 'the fixed file is picked up');
    assert.deepEqual((await health()).compose?.projectsFile, { path: file, valid: true });
    const statusB = await app.inject({ url: `/api/v1/compose/status?project=${B}` });
    assert.equal(statusB.statusCode, 200, statusB.body);
    assert.equal(lines.filter((l) => l.level === 30 && /projects file/i.test(l.msg) && /valid again|picked up|reloaded/i.test(l.msg)).length, 1);
  });
});
