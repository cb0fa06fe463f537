/**
 * The client against the real service (in-process, on a random local port) and the real
 * Docker engine. Run from the repository root:
 *
 *   node --import tsx --test clients/typescript/test/*.test.ts
 *
 * Every container made here carries gdm.test=client and is removed in after(), even when
 * a test fails.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { ERRORS } from '../../../src/errors.js';
import { clientDocument, serialize } from '../../../scripts/export-openapi.js';
import { ApiError, ERROR_CODES, SseParser, createClient, type ContainerStreamEvent, type GdmClient, type SseMessage } from '../src/index.js';

const IMAGE = 'gdm-test-busybox:latest';
const RUN = randomBytes(4).toString('hex');
const LABELS = ['--label', 'gdm.test=client', '--label', `gdm.test.client-run=${RUN}`];
const ADMIN_PASSWORD = `client-test-${randomBytes(8).toString('hex')}`;

const exec = promisify(execFile);

/** The docker CLI (argument array, no shell): an independent view of the engine. */
async function docker(...args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args, { maxBuffer: 32 * 1024 * 1024 });
  return stdout.trim();
}

async function run(name: string, ...command: string[]): Promise<string> {
  return docker('run', '-d', ...LABELS, '--name', `gdm-client-${RUN}-${name}`, IMAGE, ...command);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function rejectsWith(promise: Promise<unknown>, status: number, code: string): Promise<ApiError> {
  const err = await promise.then(
    () => assert.fail(`expected ApiError ${status} ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
  assert.equal(err.status, status);
  assert.equal(err.code, code);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0);
  assert.match(err.requestId ?? '', /^[A-Za-z0-9._-]+$/);
  return err;
}

describe('@gui-docker-manager/client against the real service', { timeout: 120_000 }, () => {
  let dataDir: string;
  let app: App;
  let baseUrl: string;
  let client: GdmClient;
  let sleeper: string;

  before(async () => {
    await docker('version', '--format', '{{.Server.Version}}').catch((err: Error) => {
      throw new Error(`No Docker engine answers; run scripts/setup-engine.sh first. (${err.message})`);
    });
    await docker('image', 'inspect', IMAGE).catch(() => {
      throw new Error(`Test image ${IMAGE} is missing; run scripts/build-test-image.sh first.`);
    });
    dataDir = mkdtempSync(join(tmpdir(), 'gdm-client-test-'));
    // The first start creates the admin with ADMIN_PASSWORD.
    const config = loadConfig({ DATA_DIR: dataDir, ADMIN_PASSWORD, RATE_LIMIT_PER_MINUTE: '100000', STREAMS_PER_CLIENT: '4' });
    app = await buildApp({ config, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    await app.containers.store.ready(10_000);
    const address = app.server.address();
    assert.ok(address && typeof address === 'object');
    baseUrl = `http://127.0.0.1:${address.port}`;
    client = createClient({ baseUrl });
  });

  after(async () => {
    try {
      const ids = await docker('ps', '-aq', '--filter', `label=gdm.test.client-run=${RUN}`);
      if (ids) await docker('rm', '-f', ...ids.split('\n'));
    } finally {
      await app?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('logs in as the admin and keeps the token', async () => {
    assert.equal(client.token, undefined);
    const result = await client.login('admin', ADMIN_PASSWORD);
    assert.equal(result.identity.role, 'admin');
    assert.equal(client.token, result.token);
    const me = await client.me();
    assert.equal(me.sub, 'admin');
    assert.ok(me.permissions.includes('EXECUTE'));
  });

  it('rejects a wrong password with a typed 401', async () => {
    const other = createClient({ baseUrl });
    await rejectsWith(other.login('admin', 'not-the-password'), 401, 'INVALID_CREDENTIALS');
    assert.equal(other.token, undefined);
  });

  it('lists what docker ps -a lists', async () => {
    sleeper = await run('sleeper', 'sleep', '3600');
    // Others may use the engine meanwhile: compare when docker ps agrees with itself around our call.
    let last = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = (await docker('ps', '-aq', '--no-trunc')).split('\n').filter(Boolean).sort();
      const listed = (await client.containers.list()).map((c) => c.id).sort();
      const afterwards = (await docker('ps', '-aq', '--no-trunc')).split('\n').filter(Boolean).sort();
      if (before.join() === afterwards.join() && listed.join() === before.join()) {
        assert.ok(listed.includes(sleeper));
        return;
      }
      last = `docker: ${before.length}, service: ${listed.length}`;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`the service's list never matched docker ps -a (${last})`);
  });

  it('filters the list and gets details', async () => {
    const mine = await client.containers.list({ label: [`gdm.test.client-run=${RUN}`], status: ['running'] });
    assert.deepEqual(
      mine.map((c) => c.id),
      [sleeper],
    );
    const details = await client.containers.get(sleeper.slice(0, 12));
    assert.equal(details.id, sleeper);
    assert.equal(details.running, true);
    assert.equal(details.labels['gdm.test'], 'client');
  });

  it('stops a container, and the engine says it stopped', async () => {
    const result = await client.containers.stop(sleeper, 1);
    assert.equal(result.action, 'stop');
    assert.equal(result.changed, true);
    assert.equal(result.state, 'exited');
    // sleep as PID 1 ignores SIGTERM: only the 1 s timeout (not the default 10 s) ends it quickly.
    assert.ok(result.durationMs < 8000, `stop took ${result.durationMs} ms`);
    assert.equal(await docker('inspect', '--format', '{{.State.Running}} {{.State.Status}}', sleeper), 'false exited');
    const again = await client.containers.stop(sleeper);
    assert.equal(again.changed, false);
  });

  it('gives a typed 404 for an unknown container, on calls and streams alike', async () => {
    const err = await rejectsWith(client.containers.get(`gdm-no-such-${RUN}`), 404, 'CONTAINER_NOT_FOUND');
    assert.equal(err.name, 'ApiError');
    const logs = client.followLogs(`gdm-no-such-${RUN}`);
    await rejectsWith(logs.next(), 404, 'CONTAINER_NOT_FOUND');
  });

  it('sees the change on the events stream after docker restart, and resumes with lastEventId', async () => {
    const controller = new AbortController();
    let ready: (id: number) => void = () => undefined;
    const readyId = new Promise<number>((resolve) => (ready = resolve));
    const seen: ContainerStreamEvent[] = [];
    const reading = (async () => {
      for await (const e of client.events({ signal: controller.signal })) {
        seen.push(e);
        if (e.event === 'ready') ready(e.data.lastEventId);
        if (e.event === 'container' && e.data.id === sleeper && e.data.container?.state === 'running') return e;
      }
      return undefined;
    })();
    const since = await withTimeout(readyId, 10_000, 'the ready event');
    await docker('restart', '-t', '0', sleeper);
    const change = await withTimeout(reading, 15_000, 'the container event');
    assert.ok(change, `the stream ended early: ${JSON.stringify(seen.map((e) => e.event))}`);
    assert.equal(change.data.name, `gdm-client-${RUN}-sleeper`);
    assert.ok(Number(change.id) > since);

    // Reconnecting after the ready event replays what came since.
    const replay = new AbortController();
    const timer = setTimeout(() => replay.abort(), 10_000);
    let replayed: Extract<ContainerStreamEvent, { event: 'container' }> | undefined;
    for await (const e of client.events({ signal: replay.signal, lastEventId: since })) {
      assert.notEqual(e.event, 'ready');
      if (e.event === 'container' && e.id === change.id) {
        replayed = e;
        break;
      }
    }
    clearTimeout(timer);
    assert.equal(replayed?.data.id, sleeper);

    // Aborting ends the loop quietly.
    const ended = (async () => {
      for await (const e of client.events({ signal: controller.signal, snapshot: true })) {
        if (e.event === 'snapshot') {
          assert.ok(e.data.containers.some((c) => c.id === sleeper));
          controller.abort();
        }
      }
      return 'ended';
    })();
    assert.equal(await withTimeout(ended, 10_000, 'the aborted stream to end'), 'ended');
  });

  it('follows logs: a live line, then `end` when the container stops', async () => {
    const talker = await run('talker', 'sh', '-c', 'echo hello-client; i=0; while :; do i=$((i+1)); echo line-$i; sleep 0.3; done');
    const events: string[] = [];
    const reading = (async () => {
      let history: string | undefined;
      let live: string | undefined;
      for await (const e of client.followLogs(talker, { tail: 1000 })) {
        events.push(e.event);
        if (e.event === 'open') assert.equal(e.data.id, talker);
        if (e.event === 'log' && e.data.text === 'hello-client') history = e.data.text;
        if (e.event === 'log' && e.data.stream === 'stdout' && /^line-\d+$/.test(e.data.text) && !live) {
          live = e.data.text;
          await client.containers.stop(talker, 0);
        }
        if (e.event === 'end') assert.equal(e.data.state, 'exited');
      }
      return { history, live };
    })();
    const { history, live } = await withTimeout(reading, 20_000, 'the log stream to end');
    assert.equal(history, 'hello-client');
    assert.match(live ?? '', /^line-\d+$/);
    assert.equal(events[0], 'open');
    assert.equal(events.at(-1), 'end', `events: ${events.join(',')}`);
  });

  it('streams stats, and leaving the loop closes the stream', async () => {
    const first = await withTimeout(
      (async () => {
        for await (const e of client.statsStream(sleeper)) {
          if (e.event === 'stats') return e.data;
        }
        return undefined;
      })(),
      15_000,
      'a stats event',
    );
    assert.equal(first?.id, sleeper);
    assert.equal(typeof first?.memory.usage, 'number');
    // STREAMS_PER_CLIENT is 4: if leaving a loop left its stream open, these would get 429.
    for (let i = 0; i < 8; i++) {
      for (let attempt = 0; ; attempt++) {
        try {
          for await (const e of client.events()) {
            if (e.event === 'ready') break;
          }
          break;
        } catch (err) {
          // The service notices a closed connection a moment later: a short grace only.
          if (!(err instanceof ApiError && err.code === 'TOO_MANY_STREAMS') || attempt >= 20) throw err;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
  });

  it('restarts through the client and lists service groups', async () => {
    const result = await client.containers.restart(sleeper, 0);
    assert.equal(result.state, 'running');
    assert.equal(await docker('inspect', '--format', '{{.State.Running}}', sleeper), 'true');
    const groups = await client.services.list();
    assert.deepEqual(
      groups.map((g) => g.name),
      ['foundation', 'core', 'application', 'support'],
    );
    await rejectsWith(client.services.start(`no-such-${RUN}`, { withDependencies: true }), 404, 'GROUP_NOT_FOUND');
    await rejectsWith(client.services.cancel('foundation'), 404, 'GROUP_OPERATION_NOT_FOUND');
  });

  it('swarm: an engine that is no swarm manager has no services or nodes; an unknown service is a typed 404', async () => {
    const services = await client.swarm.services();
    assert.deepEqual([services.engines.map((e) => [e.engine, e.manager]), services.services], [[['local', false]], []]);
    assert.deepEqual((await client.swarm.nodes()).nodes, []);
    assert.deepEqual(await client.swarm.stacks(), []);
    await rejectsWith(client.swarm.service(`no-such-${RUN}`), 404, 'SWARM_SERVICE_NOT_FOUND');
    await rejectsWith(client.swarm.scale(`no-such-${RUN}`, 2), 404, 'SWARM_SERVICE_NOT_FOUND');
  });

  it('lists the engines: the one engine, local, reachable, at the version the docker CLI reports', async () => {
    const [engine, ...others] = await client.engines();
    assert.equal(others.length, 0);
    assert.equal(engine?.name, 'local');
    assert.equal(engine?.reachable, true);
    assert.equal(engine?.version, await docker('version', '--format', '{{.Server.Version}}'));
    // The engine is shared (others' tests add containers meanwhile): ours are among them.
    assert.ok((engine?.containers ?? 0) >= 1);
  });

  it('gives a typed 401 without a token, and after logout', async () => {
    const anonymous = createClient({ baseUrl });
    await rejectsWith(anonymous.containers.list(), 401, 'UNAUTHORIZED');
    await rejectsWith(anonymous.events().next(), 401, 'UNAUTHORIZED');
    const { data, response } = await anonymous.api.GET('/api/v1/containers');
    assert.equal(response.status, 401);
    assert.equal(data, undefined);

    const old = client.token;
    await client.logout();
    assert.equal(client.token, undefined);
    await rejectsWith(createClient({ baseUrl, token: old }).containers.list(), 401, 'UNAUTHORIZED');
    await client.logout(); // twice is fine
  });

  it('the typed api client carries a given token (e.g. from the CLI) on every path', async () => {
    const sign = (role: 'admin' | 'user') => app.access.tokens.sign({ sub: `client-test-${role}`, role }).then((t) => t.token);
    const admin = createClient({ baseUrl, token: await sign('admin') });
    const { data, error } = await admin.api.GET('/api/v1/containers/{id}', { params: { path: { id: sleeper } } });
    assert.equal(error, undefined);
    assert.equal(data?.id, sleeper);
    // A user may not manage users: the raw client hands back the typed error body.
    const user = createClient({ baseUrl, token: await sign('user') });
    const users = await user.api.GET('/api/v1/users');
    assert.equal(users.response.status, 403);
    assert.equal(users.error?.error.code, 'FORBIDDEN');
    // And a user does not see ungrouped containers: they do not exist for it.
    await rejectsWith(user.containers.get(sleeper), 404, 'CONTAINER_NOT_FOUND');
  });
});

describe('kept in step with the service', () => {
  it('ERROR_CODES lists the service error codes', () => {
    assert.deepEqual([...ERROR_CODES].sort(), Object.keys(ERRORS).sort());
  });

  it('openapi.json is what scripts/export-openapi.ts writes today (run it and `npm run generate` if not)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gdm-client-doc-'));
    const app = await buildApp({ config: loadConfig({ DATA_DIR: dataDir, DOCKER_HOST: `unix://${join(dataDir, 'none.sock')}` }), logger: false, composeTool: null });
    try {
      await app.ready();
      const committed = readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');
      assert.equal(committed, serialize(clientDocument(app.swagger()).document));
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('SseParser', () => {
  it('parses fields, comments, CRLF and split chunks', () => {
    const parser = new SseParser();
    const text = 'retry: 2000\r\n\r\n: heartbeat\n\nevent: container\nid: 7\ndata: {"a":\ndata: 1}\n\ndata: plain\r\rdata:x';
    const out: SseMessage[] = [];
    // One character at a time: every split point must work, \r\n across chunks included.
    for (const ch of text) out.push(...parser.push(ch));
    // The last event has no blank line yet: not out. (A lone \r may hold the event before it
    // until the next line end comes, which a \r-only stream sends with its next line.)
    assert.ok(!out.some((m) => m.data === 'x'));
    out.push(...parser.push('\n\n'));
    assert.deepEqual(out, [
      { event: 'container', id: '7', data: { a: 1 } },
      { event: 'message', data: 'plain' },
      { event: 'message', data: 'x' },
    ]);
  });

  it('gives an event only its own id; comments, retry and data-less blocks yield nothing', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('id: 1\ndata: 1\n\ndata: 2\n\n: heartbeat\n\nretry: 5\nid: 3\n\nid: a\0b\ndata: 4\n\n'), [
      { event: 'message', id: '1', data: 1 },
      { event: 'message', data: 2 },
      { event: 'message', data: 4 },
    ]);
  });
});
