import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connectionOptions } from '../../src/docker/connection.js';
import { hostVerifier, knownHostKeys } from '../../src/docker/ssh-known-hosts.js';

const KEY_A = Buffer.from('host-key-a').toString('base64');
const KEY_B = Buffer.from('host-key-b').toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'gdm-known-hosts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hashed(name: string): string {
  const salt = Buffer.from('0123456789abcdefghij');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('ssh known_hosts', () => {
  test('plain, bracketed-port, comma-separated and hashed entries match their host and port only', () => {
    const text = [
      '# comment',
      `pi.example.org,10.0.0.7 ssh-ed25519 ${KEY_A}`,
      `[127.0.0.1]:2222 ssh-ed25519 ${KEY_B} comment`,
      `${hashed('[db.example.org]:2200')} ssh-ed25519 ${KEY_B}`,
      `@revoked 10.0.0.7 ssh-ed25519 ${KEY_B}`,
      '',
    ].join('\n');
    assert.deepEqual(knownHostKeys(text, '10.0.0.7', 22), [KEY_A]);
    assert.deepEqual(knownHostKeys(text, 'pi.example.org', 22), [KEY_A]);
    assert.deepEqual(knownHostKeys(text, '10.0.0.7', 2222), []);
    assert.deepEqual(knownHostKeys(text, '127.0.0.1', 2222), [KEY_B]);
    assert.deepEqual(knownHostKeys(text, '127.0.0.1', 22), []);
    assert.deepEqual(knownHostKeys(text, 'db.example.org', 2200), [KEY_B]);
    assert.deepEqual(knownHostKeys(text, 'db.example.org', 22), []);
  });

  test('the verifier accepts the listed key only, and refuses when the file cannot be read', () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `[127.0.0.1]:2222 ssh-ed25519 ${KEY_A}\n`);
    const verify = hostVerifier(file, '127.0.0.1', 2222);
    assert.equal(verify(Buffer.from('host-key-a')), true);
    assert.equal(verify(Buffer.from('host-key-b')), false);
    assert.equal(hostVerifier(join(dir, 'missing'), '127.0.0.1', 2222)(Buffer.from('host-key-a')), false);
  });

  test('an ssh:// engine gets its key content, agent, host verifier and handshake timeout', () => {
    const key = join(dir, 'id_ed25519');
    writeFileSync(key, 'PRIVATE KEY');
    const options = connectionOptions({ host: 'ssh://root@127.0.0.1:2222', tlsVerify: false, timeoutMs: 3000, ssh: { key, knownHosts: join(dir, 'known_hosts'), agent: '/run/agent.sock' } });
    assert.equal(options.sshOptions?.privateKey?.toString(), 'PRIVATE KEY');
    assert.equal(options.sshOptions?.agent, '/run/agent.sock');
    assert.equal(options.sshOptions?.readyTimeout, 3000);
    assert.equal(typeof options.sshOptions?.hostVerifier, 'function');
    // No known_hosts file named (the config always names one): every host key is refused.
    const bare = connectionOptions({ host: 'ssh://pi@10.0.0.7', tlsVerify: false }).sshOptions;
    assert.deepEqual(Object.keys(bare ?? {}), ['hostVerifier']);
    assert.equal(bare?.hostVerifier?.(Buffer.from('any-key')), false);
    assert.equal(connectionOptions({ host: 'tcp://h:2375', tlsVerify: false }).sshOptions, undefined);
  });
});
