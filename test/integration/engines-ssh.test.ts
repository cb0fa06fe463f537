import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { Fixture, requireEngine, uniqueName } from '../helpers/docker-cli.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';
import { requireTestSshd, writeSshEnginesFile, type TestSshd } from '../helpers/test-sshd.js';

interface EngineRow {
  name: string;
  url: string;
  reachable: boolean;
  synced: boolean;
  version: string;
  apiVersion: string;
  lastError: { code: string; message: string; cause?: string } | null;
  hint?: string;
}

let e2: TestEngine;
let sshd: TestSshd;
let onE2: Fixture;
before(async () => {
  await requireEngine();
  ({ e2 } = await requireTestEngines());
  sshd = requireTestSshd();
  assert.equal(sshd.engineHost, e2.url, 'the test sshd points its sessions at e2');
  onE2 = new Fixture(e2.cliEnv);
});
after(async () => {
  await onE2?.cleanup();
});

/** The app over the first engine and `viassh` (e2 through the test sshd), both synced. */
async function sshApp(t: { after: (fn: () => Promise<void>) => void }, ssh?: string) {
  const file = writeSshEnginesFile((fn) => t.after(async () => fn()), sshd, ssh);
  const app = await buildTestApp(t, { ENGINES_FILE: file });
  return app;
}

function synced(app: Awaited<ReturnType<typeof sshApp>>): Promise<unknown> {
  return Promise.all(app.containers.engines.map((u) => (u.store.isSynced ? undefined : new Promise((resolve) => u.store.once('synced', () => resolve(undefined))))));
}

describe('an ssh:// engine (docker system dial-stdio over ssh2, key from ENGINES_FILE)', () => {
  test('/engines shows viassh reachable with e2’s version, its URL without the user, nothing of the key', async (t) => {
    const app = await sshApp(t);
    await synced(app);
    const res = await app.inject({ url: '/api/v1/engines' });
    assert.equal(res.statusCode, 200);
    const { engines } = res.json() as { engines: EngineRow[] };
    const viassh = engines.find((e) => e.name === 'viassh');
    assert.ok(viassh, JSON.stringify(engines));
    assert.deepEqual([viassh.reachable, viassh.synced, viassh.lastError], [true, true, null]);
    assert.equal(viassh.url, `ssh://127.0.0.1:${sshd.port}`);
    assert.equal(viassh.version, await dockerOn(e2, 'version', '--format', '{{.Server.Version}}'));
    assert.equal(viassh.apiVersion, await dockerOn(e2, 'version', '--format', '{{.Server.APIVersion}}'));
    const key = readFileSync(sshd.key, 'utf8');
    const secret = key.split('\n')[1] ?? key;
    for (const text of [res.body, (await app.inject({ url: '/health' })).body]) {
      assert.ok(!text.includes('root@'), 'no user name');
      assert.ok(!text.includes(sshd.key) && !text.includes(secret), 'neither the key path nor its content');
    }
  });

  test('a labelled e2 container is listed with engine viassh; stop, start and logs go through ssh and match e2’s CLI', async (t) => {
    const mark = uniqueName('ssh');
    const word = `hello-over-ssh-${mark}`;
    const c = await onE2.run({ labels: { 'gdm.tssh': mark }, command: ['sh', '-c', `echo ${word}; exec sleep 3600`], stopSignalFast: true });
    const app = await sshApp(t);
    await synced(app);

    const list = (await app.inject({ url: `/api/v1/containers?label=gdm.tssh=${mark}` })).json() as { containers: { engine: string; id: string; name: string }[] };
    assert.deepEqual(list.containers.map((s) => [s.engine, s.id, s.name]), [['viassh', c.id, c.name]]);

    const stop = await app.inject({ method: 'POST', url: `/api/v1/containers/viassh:${c.name}/stop?timeout=1` });
    assert.equal(stop.statusCode, 200, stop.body);
    assert.deepEqual([stop.json().engine, stop.json().id], ['viassh', c.id]);
    assert.equal(await dockerOn(e2, 'inspect', '--format', '{{.State.Status}}', c.name), 'exited', 'e2’s CLI sees it stopped');

    const start = await app.inject({ method: 'POST', url: `/api/v1/containers/viassh:${c.name}/start` });
    assert.equal(start.statusCode, 200, start.body);
    assert.equal(await dockerOn(e2, 'inspect', '--format', '{{.State.Status}}', c.name), 'running', 'e2’s CLI sees it running');

    const logs = await app.inject({ url: `/api/v1/containers/viassh:${c.name}/logs` });
    assert.equal(logs.statusCode, 200, logs.body);
    const body = logs.json() as { engine: string; id: string; lines: { text: string }[] };
    assert.deepEqual([body.engine, body.id], ['viassh', c.id]);
    // Started twice: the word once per run, as e2's own CLI shows it.
    const cliLines = (await dockerOn(e2, 'logs', c.name)).split('\n');
    assert.deepEqual(body.lines.map((l) => l.text), cliLines);
    assert.deepEqual(cliLines, [word, word]);
  });

  test('a host key not in knownHosts is refused: the engine stays unreachable with an error', async (t) => {
    const app = await sshApp(t, `{ key: ${sshd.key}, knownHosts: /dev/null }`);
    const viassh = app.containers.engines.find((u) => u.name === 'viassh');
    assert.ok(viassh);
    // A fresh probe (ping over ssh): refused during the handshake, before any docker call.
    const state = await viassh.status.check(true);
    assert.equal(state.reachable, false);
    const res = await app.inject({ url: '/api/v1/engines' });
    const row = (res.json() as { engines: EngineRow[] }).engines.find((e) => e.name === 'viassh');
    assert.equal(row?.reachable, false, JSON.stringify(row));
    assert.ok(row?.lastError, JSON.stringify(row));
    // ssh2's "Host denied (verification failed)": named, with what to do about it.
    assert.deepEqual([row.lastError.code, row.lastError.cause], ['DOCKER_UNAVAILABLE', 'SSH_HOST_KEY_REFUSED'], JSON.stringify(row.lastError));
    assert.match(row.hint ?? '', /known_hosts/);
  });

  test('without ssh.knownHosts the host key is still checked: against SSH_KNOWN_HOSTS (else ~/.ssh/known_hosts)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gdm-known-hosts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    const probe = async (knownHosts: string) => {
      const file = writeSshEnginesFile((fn) => t.after(async () => fn()), sshd, `{ key: ${sshd.key} }`);
      const app = await buildTestApp(t, { ENGINES_FILE: file, SSH_KNOWN_HOSTS: knownHosts });
      const viassh = app.containers.engines.find((u) => u.name === 'viassh');
      assert.ok(viassh);
      return viassh.status.check(true);
    };
    const refused = await probe(empty);
    assert.equal(refused.reachable, false, 'a host key listed nowhere is refused, not trusted');
    assert.equal(refused.lastError?.cause, 'SSH_HOST_KEY_REFUSED', JSON.stringify(refused.lastError));
    const missing = await probe(join(dir, 'no-such-file'));
    assert.equal(missing.lastError?.cause, 'SSH_HOST_KEY_REFUSED', 'a default file that is not there refuses too');
    const known = await probe(sshd.knownHosts);
    assert.equal(known.reachable, true, JSON.stringify(known.lastError));
  });

  test('a key the host does not accept: unreachable, SSH_AUTH_FAILED, and the hint names ssh.key', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gdm-ssh-key-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const stranger = join(dir, 'stranger.pem');
    writeFileSync(stranger, generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey, { mode: 0o600 });
    const app = await sshApp(t, `{ key: ${stranger}, knownHosts: ${sshd.knownHosts} }`);
    const viassh = app.containers.engines.find((u) => u.name === 'viassh');
    assert.ok(viassh);
    const state = await viassh.status.check(true);
    assert.equal(state.reachable, false);
    assert.deepEqual([state.lastError?.code, state.lastError?.cause], ['DOCKER_UNAVAILABLE', 'SSH_AUTH_FAILED'], JSON.stringify(state.lastError));
    assert.match(state.hint ?? '', /ssh\.key/);
    // A call on that engine answers 503 in our words, not ssh2's.
    const res = await app.inject({ url: '/api/v1/containers/viassh:anything' });
    assert.equal(res.statusCode, 503, res.body);
    assert.doesNotMatch(res.body, /All configured authentication methods failed/);
  });
});
