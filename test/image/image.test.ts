/**
 * The shipped image, end to end against the real engine: builds the Dockerfile on the local
 * stand-in bases (scripts/build-image-test-bases.sh: no registry is reachable, nothing is
 * pulled; `npm ci` inside the build reaches the npm registry), runs it the way
 * deploy/docker-compose.yml does (read-only root, /tmp tmpfs, named /data volume, socket
 * mounted with its group added, no capabilities) and checks health, the API, the user and
 * what can be written. Everything it makes carries gdm.test=image and gdm.test.run=<run>
 * and is removed afterwards, even on failure: containers, volume, the image and the
 * build's intermediate images.
 *
 *   bash scripts/build-image-test-bases.sh && node --import tsx --test test/image/image.test.ts
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASES = {
  BUILD_IMAGE: process.env.GDM_TEST_BUILD_BASE ?? 'gdm-test-node-build:20',
  RUNTIME_IMAGE: process.env.GDM_TEST_RUNTIME_BASE ?? 'gdm-test-node-runtime:20',
  COMPOSE_IMAGE: process.env.GDM_TEST_COMPOSE_BASE ?? 'gdm-test-compose-bin:1',
};
const SOCKET = '/var/run/docker.sock';
const COMPOSE_PLUGIN = '/usr/local/libexec/docker/cli-plugins/docker-compose';
const RUN_ID = randomBytes(4).toString('hex');
const IMAGE = `gdm-test-image:${RUN_ID}`;
const NAME = `gdm-t-image-${RUN_ID}`;
const VOLUME = `gdm-t-image-${RUN_ID}-data`;
const LABELS = ['--label', 'gdm.test=image', '--label', `gdm.test.run=${RUN_ID}`];
const ADMIN_PASSWORD = randomBytes(18).toString('base64url');
const JWT_SECRET_KEY = randomBytes(32).toString('base64url');
const BUILD_TIMEOUT_MS = 20 * 60_000;
const HEALTHY_TIMEOUT_MS = 120_000;

/** The docker CLI with an argument array (no shell); throws on a non-zero exit. */
async function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
  return stdout.trim();
}

/** Like docker(), but returns the exit code and both outputs instead of throwing. */
async function dockerResult(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('docker', args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
    return { code: 0, stdout: stdout.trim(), stderr: stderr.trim() };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: (e.stdout ?? '').trim(), stderr: (e.stderr ?? String(err)).trim() };
  }
}

/** `docker build`, streamed (its output is long); resolves with the log, rejects with its tail. */
function dockerBuild(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (d: Buffer) => {
      log = (log + d.toString()).slice(-200_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), BUILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(log);
      else reject(new Error(`docker build failed (${signal ?? `exit ${code}`}):\n${log.slice(-6000)}`));
    });
  });
}

/** A one-off container of the image running `node -e SCRIPT` with the service's restrictions. */
function nodeIn(script: string, extra: string[] = []) {
  return dockerResult(['run', '--rm', ...LABELS, '--read-only', '--tmpfs', '/tmp', '-v', `${VOLUME}:/data`, '--cap-drop', 'ALL', ...extra, '--entrypoint', 'node', IMAGE, '-e', script]);
}

async function waitFor<T>(fn: () => Promise<T>, check: (v: T) => boolean, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await fn();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    value = await fn();
  }
  return value;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

interface ImageConfig {
  User: string;
  Env: string[];
  Entrypoint: string[] | null;
  Cmd: string[] | null;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  Healthcheck?: { Test: string[]; Interval: number; Timeout: number; StartPeriod: number; Retries: number };
}
interface ContainerState {
  Status: string;
  Running: boolean;
  Pid: number;
  ExitCode: number;
  Health?: { Status: string; Log: { ExitCode: number; Output: string }[] };
}

const measured = { buildSeconds: 0, imageBytes: 0, baseBytes: 0, healthySeconds: 0 };
let imagesBefore = new Set<string>();
let containerId = '';
let baseUrl = '';
let startedAt = 0;

before(
  async () => {
    await docker(['version', '--format', '{{.Server.Version}}']).catch((err: Error) => {
      throw new Error(`No Docker engine answers (scripts/setup-engine.sh starts one): ${err.message}`);
    });
    for (const image of Object.values(BASES)) {
      await docker(['image', 'inspect', '--format', '{{.Id}}', image]).catch(() => {
        throw new Error(`Stand-in base image ${image} is missing: run scripts/build-image-test-bases.sh first.`);
      });
    }
    imagesBefore = new Set((await docker(['images', '-aq', '--no-trunc'])).split('\n').filter(Boolean));

    const buildStart = Date.now();
    await dockerBuild([
      'build',
      '--force-rm', // a failed step leaves no container behind
      ...LABELS,
      ...Object.entries(BASES).flatMap(([arg, image]) => ['--build-arg', `${arg}=${image}`]),
      '-t',
      IMAGE,
      ROOT,
    ]);
    measured.buildSeconds = (Date.now() - buildStart) / 1000;
    measured.imageBytes = Number(await docker(['image', 'inspect', '--format', '{{.Size}}', IMAGE]));
    measured.baseBytes = Number(await docker(['image', 'inspect', '--format', '{{.Size}}', BASES.RUNTIME_IMAGE]));

    await docker(['volume', 'create', ...LABELS, VOLUME]);
    const socketGid = String(statSync(SOCKET).gid);
    startedAt = Date.now();
    containerId = await docker([
      'run', '-d', '--name', NAME, ...LABELS,
      '--read-only', '--tmpfs', '/tmp',
      '-v', `${VOLUME}:/data`,
      '-v', `${SOCKET}:${SOCKET}`,
      '--group-add', socketGid,
      '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges:true',
      '-p', '127.0.0.1::8098',
      '-e', `ADMIN_PASSWORD=${ADMIN_PASSWORD}`,
      '-e', `JWT_SECRET_KEY=${JWT_SECRET_KEY}`,
      // No container carries this label key, so every container is ungrouped and the admin
      // sees all of them, whatever gdm.group labels other tests' containers have.
      '-e', 'GROUP_LABEL=gdm.image-test.none',
      IMAGE,
    ]);
    const published = (await docker(['port', containerId, '8098/tcp'])).split('\n')[0] ?? '';
    const port = /:(\d+)$/.exec(published)?.[1];
    assert.ok(port, `published port of 8098/tcp: ${published}`);
    baseUrl = `http://127.0.0.1:${port}`;
  },
  { timeout: BUILD_TIMEOUT_MS + 5 * 60_000 },
);

after(async () => {
  const containers = await dockerResult(['ps', '-aq', '--filter', `label=gdm.test.run=${RUN_ID}`]);
  if (containers.stdout) await dockerResult(['rm', '-f', '-v', ...containers.stdout.split('\n')]);
  await dockerResult(['volume', 'rm', '-f', VOLUME]);
  await dockerResult(['rmi', '-f', IMAGE]);
  // The build's intermediate images (the legacy builder keeps the build stage's as a
  // dangling image): they inherit gdm.test=image from the stand-in bases. Only those this
  // run made, newest first so children go before their parents.
  const made = (await dockerResult(['images', '-a', '--no-trunc', '--filter', 'label=gdm.test=image', '--format', '{{.ID}} {{.CreatedAt}}'])).stdout
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([id]) => id && !imagesBefore.has(id))
    .sort((a, b) => (b.slice(1).join(' ') < a.slice(1).join(' ') ? -1 : 1))
    .map(([id]) => id as string);
  for (const id of made) await dockerResult(['rmi', id]);
  console.log(
    `image test: build ${measured.buildSeconds.toFixed(0)} s, image ${mb(measured.imageBytes)} ` +
      `(runtime base ${mb(measured.baseBytes)} + ${mb(measured.imageBytes - measured.baseBytes)}), healthy after ${measured.healthySeconds.toFixed(0)} s`,
  );
});

describe('the container image', () => {
  test('is configured as shipped: non-root, /data volume, port, no-curl health check, CLI entrypoint', async (t) => {
    const config = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', IMAGE])) as ImageConfig;
    assert.equal(config.User, '65532:65532');
    assert.deepEqual(Object.keys(config.Volumes ?? {}), ['/data']);
    assert.deepEqual(Object.keys(config.ExposedPorts ?? {}), ['8098/tcp']);
    for (const kv of ['DATA_DIR=/data', 'HOST=0.0.0.0', 'PORT=8098', `COMPOSE_COMMAND=${COMPOSE_PLUGIN}`, 'MALLOC_ARENA_MAX=2']) assert.ok(config.Env.includes(kv), kv);
    assert.deepEqual([...(config.Entrypoint ?? []), ...(config.Cmd ?? [])], ['node', '--max-semi-space-size=2', '--optimize-for-size', '/app/dist/src/cli.js', 'serve']);
    const check = config.Healthcheck?.Test ?? [];
    assert.deepEqual(check.slice(0, 3), ['CMD', 'node', '-e'], 'exec form, node itself (no shell, no curl)');
    assert.match(check[3] ?? '', /\/live/);
    t.diagnostic(`build ${measured.buildSeconds.toFixed(0)} s; image ${mb(measured.imageBytes)} = runtime base ${mb(measured.baseBytes)} + ${mb(measured.imageBytes - measured.baseBytes)}`);
    // What the image adds to the runtime base: production node_modules, dist, config.
    assert.ok(measured.imageBytes - measured.baseBytes < 80e6, `the image adds ${mb(measured.imageBytes - measured.baseBytes)} to its base (budget 80 MB)`);
  });

  test('holds only the production files: no sources, dev dependencies, shell or build tools', async () => {
    const res = await nodeIn(`
      const fs = require('fs');
      const has = (p) => fs.existsSync(p);
      let pluginRuns = false;
      try { fs.accessSync(${JSON.stringify(COMPOSE_PLUGIN)}, fs.constants.X_OK); pluginRuns = true; } catch {}
      console.log(JSON.stringify({
        present: ['/app/dist/src/cli.js', '/app/dist/web/index.html', '/app/config/service-groups.yaml', '/app/package.json',
          '/app/node_modules/fastify', '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'].filter((p) => !has(p)),
        absent: ['/app/src', '/app/web', '/app/test', '/app/.git', '/app/package-lock.json', '/app/node_modules/typescript',
          '/app/node_modules/tsx', '/app/node_modules/vite', '/app/node_modules/eslint', '/app/node_modules/better-sqlite3/deps',
          '/bin/sh', '/usr/bin/npm', '/usr/bin/curl', '/usr/bin/gcc', '/usr/bin/python3'].filter(has),
        pluginRuns,
      }));`);
    assert.equal(res.code, 0, res.stderr);
    const found = JSON.parse(res.stdout) as { present: string[]; absent: string[]; pluginRuns: boolean };
    assert.deepEqual(found.present, [], 'missing from the image');
    assert.deepEqual(found.absent, [], 'should not be in the image');
    assert.ok(found.pluginRuns, `${COMPOSE_PLUGIN} is present and executable`);
  });

  test('turns healthy by its own health check', { timeout: HEALTHY_TIMEOUT_MS + 10_000 }, async () => {
    const state = await waitFor(
      async () => JSON.parse(await docker(['inspect', '--format', '{{json .State}}', containerId])) as ContainerState,
      (s) => s.Health?.Status === 'healthy' || !s.Running,
      HEALTHY_TIMEOUT_MS,
      1000,
    );
    measured.healthySeconds = (Date.now() - startedAt) / 1000;
    const logs = await dockerResult(['logs', '--tail', '30', containerId]);
    assert.ok(state.Running, `the service exited (${state.ExitCode}):\n${logs.stdout}\n${logs.stderr}`);
    assert.equal(state.Health?.Status, 'healthy', `health: ${JSON.stringify(state.Health?.Log.slice(-3))}\n${logs.stdout}\n${logs.stderr}`);
  });

  test('serves the API from the host: login, then GET /api/v1/containers matches docker ps -a', async () => {
    assert.equal((await fetch(`${baseUrl}/api/v1/containers`)).status, 401, 'the API needs a token');
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    assert.equal(login.status, 200, await login.clone().text());
    const { token } = (await login.json()) as { token: string };

    // Other tests may create or remove containers meanwhile: what existed before and after
    // the call must be listed, and nothing that existed at neither moment.
    const psIds = async () => new Set((await docker(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean));
    const compare = async () => {
      const before = await psIds();
      const res = await fetch(`${baseUrl}/api/v1/containers`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { containers: { id: string }[]; total: number };
      const afterIds = await psIds();
      const listed = new Set(body.containers.map((c) => c.id));
      return {
        body,
        missing: [...before].filter((id) => afterIds.has(id) && !listed.has(id)),
        unknown: [...listed].filter((id) => !before.has(id) && !afterIds.has(id)),
      };
    };
    const result = await waitFor(compare, (r) => r.missing.length === 0 && r.unknown.length === 0, 10_000);
    assert.deepEqual(result.missing, [], 'containers docker ps -a shows that the API does not list');
    assert.deepEqual(result.unknown, [], 'containers the API lists that docker ps -a does not show');
    assert.equal(result.body.total, result.body.containers.length);
    assert.ok(result.body.containers.some((c) => c.id === containerId), 'the service lists its own container');

    const health = (await (await fetch(`${baseUrl}/health`)).json()) as { status: string; compose: { command: string; version: string } | null };
    assert.equal(health.status, 'ok');
    assert.equal(health.compose?.command, COMPOSE_PLUGIN, 'the compose plugin copied into the image is the one the service found');
  });

  test('runs as uid/gid 65532 with the socket group, not root', async () => {
    // docker top needs the pid column; then the real uid and gid of every process.
    const top = (await docker(['top', containerId, '-eo', 'pid,uid,gid'])).split('\n').slice(1);
    assert.ok(top.length > 0);
    for (const line of top) assert.deepEqual(line.trim().split(/\s+/).slice(1), ['65532', '65532'], `process ids: ${line}`);
    const { Pid } = JSON.parse(await docker(['inspect', '--format', '{{json .State}}', containerId])) as ContainerState;
    const status = `/proc/${Pid}/status`;
    if (existsSync(status)) {
      // Same PID namespace as the engine: the kernel's view of the process.
      const text = readFileSync(status, 'utf8');
      assert.match(text, /^Uid:\s+65532\s+65532\s+65532\s+65532$/m);
      assert.match(text, /^Gid:\s+65532\s+65532\s+65532\s+65532$/m);
      assert.match(text, new RegExp(`^Groups:.*\\b${statSync(SOCKET).gid}\\b`, 'm'), 'the socket group was added');
      assert.match(text, /^CapEff:\s+0+$/m, 'no capabilities');
    }
  });

  test('cannot write outside /data (and the /tmp tmpfs); /data is writable and holds the database', async () => {
    for (const path of ['/app/x', '/usr/x', '/x', '/home/nonroot/x']) {
      const res = await nodeIn(`require('fs').writeFileSync(${JSON.stringify(path)}, 'y')`);
      assert.notEqual(res.code, 0, `writing ${path} must fail`);
      assert.match(res.stderr, /EROFS|EACCES/, res.stderr);
    }
    const erofs = await nodeIn(`require('fs').writeFileSync('/app/x', 'y')`);
    assert.match(erofs.stderr, /EROFS/, 'the root filesystem is read-only');
    const ok = await nodeIn(`
      const fs = require('fs');
      fs.writeFileSync('/data/image-test-probe', 'y');
      fs.writeFileSync('/tmp/probe', 'y');
      fs.unlinkSync('/data/image-test-probe');
      console.log(JSON.stringify({ files: fs.readdirSync('/data'), uid: fs.statSync('/data').uid }));`);
    assert.equal(ok.code, 0, ok.stderr);
    const data = JSON.parse(ok.stdout) as { files: string[]; uid: number };
    assert.ok(data.files.includes('gui-docker-manager.sqlite'), `the database is in /data: ${data.files.join(', ')}`);
    assert.ok(!data.files.includes('jwt-secret'), 'JWT_SECRET_KEY is set: no secret generated');
    assert.equal(data.uid, 65532, 'a new volume takes /data owned by the service user from the image');
  });
});
