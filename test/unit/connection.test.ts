import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connectionOptions, isLocalEngine, type ConnectionOptions } from '../../src/docker/connection.js';

const ALL_KEYS: (keyof ConnectionOptions)[] = ['socketPath', 'host', 'port', 'protocol', 'username', 'ca', 'cert', 'key', 'version', 'sshOptions'];

/** docker-modem fills any key that is absent from its own env defaults; every key must be present. */
function assertEveryKeyPresent(options: ConnectionOptions): void {
  assert.deepEqual(Object.keys(options).sort(), [...ALL_KEYS].sort());
}

describe('connectionOptions', () => {
  test('unix:// gives the socket path and nothing else', () => {
    const options = connectionOptions({ host: 'unix:///var/run/docker.sock', tlsVerify: false });
    assert.deepEqual(options, {
      socketPath: '/var/run/docker.sock',
      host: undefined,
      port: undefined,
      protocol: undefined,
      username: undefined,
      ca: undefined,
      cert: undefined,
      key: undefined,
      version: undefined,
      sshOptions: undefined,
    });
    assertEveryKeyPresent(options);
  });

  test('a percent-encoded socket path is decoded', () => {
    assert.equal(connectionOptions({ host: 'unix:///tmp/my%20docker.sock', tlsVerify: false }).socketPath, '/tmp/my docker.sock');
  });

  test('tcp:// without TLS is http on port 2375 by default', () => {
    const options = connectionOptions({ host: 'tcp://docker.internal', tlsVerify: false });
    assert.equal(options.protocol, 'http');
    assert.equal(options.host, 'docker.internal');
    assert.equal(options.port, 2375);
    assert.equal(options.socketPath, undefined);
    assert.equal(options.ca, undefined);
    assertEveryKeyPresent(options);
  });

  test('tcp:// keeps an explicit port', () => {
    const options = connectionOptions({ host: 'tcp://10.0.0.5:12375', tlsVerify: false });
    assert.equal(options.port, 12375);
    assert.equal(options.host, '10.0.0.5');
  });

  test('tcp:// with tlsVerify is https on port 2376 by default', () => {
    const options = connectionOptions({ host: 'tcp://docker.internal', tlsVerify: true });
    assert.equal(options.protocol, 'https');
    assert.equal(options.port, 2376);
    assert.equal(options.ca, undefined, 'no cert path, no certificates read');
    assertEveryKeyPresent(options);
  });

  test('tcp:// with a cert path reads ca, cert and key and uses https', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gdm-certs-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    writeFileSync(join(dir, 'cert.pem'), 'CERT');
    writeFileSync(join(dir, 'key.pem'), 'KEY');
    const options = connectionOptions({ host: 'tcp://docker.internal:2376', tlsVerify: false, certPath: dir });
    assert.equal(options.protocol, 'https');
    assert.equal(options.ca?.toString(), 'CA');
    assert.equal(options.cert?.toString(), 'CERT');
    assert.equal(options.key?.toString(), 'KEY');
  });

  test('ssh:// keeps the user and defaults to port 22', () => {
    const options = connectionOptions({ host: 'ssh://deploy@docker.example.org', tlsVerify: false });
    assert.equal(options.protocol, 'ssh');
    assert.equal(options.host, 'docker.example.org');
    assert.equal(options.port, 22);
    assert.equal(options.username, 'deploy');
    assert.equal(options.socketPath, undefined);
    assertEveryKeyPresent(options);
  });

  test('ssh:// keeps an explicit port; no user stays undefined', () => {
    const options = connectionOptions({ host: 'ssh://docker.example.org:2222', tlsVerify: false });
    assert.equal(options.port, 2222);
    assert.equal(options.username, undefined);
    assert.ok(Object.hasOwn(options, 'username'));
  });

  test('an API version gets a v prefix, on every scheme', () => {
    for (const host of ['unix:///var/run/docker.sock', 'tcp://h:2375', 'ssh://u@h']) {
      assert.equal(connectionOptions({ host, tlsVerify: false, apiVersion: '1.41' }).version, 'v1.41', host);
    }
  });

  test('an unsupported scheme is refused', () => {
    assert.throws(() => connectionOptions({ host: 'http://docker.internal:2375', tlsVerify: false }), /Unsupported DOCKER_HOST scheme http:/);
  });
});

describe('isLocalEngine', () => {
  test('only a unix socket is local', () => {
    assert.equal(isLocalEngine({ host: 'unix:///var/run/docker.sock', tlsVerify: false }), true);
    assert.equal(isLocalEngine({ host: 'tcp://127.0.0.1:2375', tlsVerify: false }), false);
    assert.equal(isLocalEngine({ host: 'ssh://u@h', tlsVerify: false }), false);
  });
});
