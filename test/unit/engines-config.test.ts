import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { connectionOptions, displayUrl } from '../../src/docker/connection.js';

const dir = mkdtempSync(join(tmpdir(), 'gdm-engines-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `-----BEGIN ${f}-----\n`);

let n = 0;
function enginesFile(yaml: string): string {
  const file = join(dir, `engines-${++n}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

function refused(yaml: string, ...fragments: string[]): void {
  const file = enginesFile(yaml);
  assert.throws(
    () => loadConfig({ ENGINES_FILE: file }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.variable, 'ENGINES_FILE');
      assert.ok(err.message.includes(file), `names the file: ${err.message}`);
      for (const f of fragments) assert.ok(err.message.includes(f), `"${f}" in: ${err.message}`);
      return true;
    },
  );
}

describe('engines configuration', () => {
  test('without ENGINES_FILE, DOCKER_HOST (and its TLS settings) is the one required engine "local"', () => {
    const config = loadConfig({ DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_CERT_PATH: dir, DOCKER_TLS_VERIFY: '1', ENGINE_TIMEOUT_MS: '2500' });
    assert.deepEqual(config.engines, [{ name: 'local', host: 'tcp://10.0.0.5:2376', certPath: dir, tlsVerify: true, required: true, timeoutMs: 2500 }]);
    assert.equal(loadConfig({}).engines[0]?.host, 'unix:///var/run/docker.sock');
  });

  test("the issue's form: the first engine is required by default, the others not; TLS paths are kept, relative ones resolved", () => {
    const file = enginesFile(`engines:
  - name: local
    url: unix:///var/run/docker.sock
  - name: db-host
    url: tcp://10.0.0.5:2376
    tls: { ca: ${join(dir, 'ca.pem')}, cert: cert.pem, key: ./key.pem }
    timeoutMs: 3000
  - name: pi
    url: ssh://pi@10.0.0.7
    required: false
  - name: other
    url: unix:///run/other.sock
    required: true
`);
    const engines = loadConfig({ ENGINES_FILE: file, ENGINE_TIMEOUT_MS: '4000' }).engines;
    assert.deepEqual(
      engines.map((e) => [e.name, e.required, e.timeoutMs, e.tlsVerify]),
      [
        ['local', true, 4000, false],
        ['db-host', false, 3000, true],
        ['pi', false, 4000, false],
        ['other', true, 4000, false],
      ],
    );
    assert.deepEqual(engines[1]?.tls, { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
    // The client reads the files: https with the PEM content.
    const options = connectionOptions(engines[1] as NonNullable<(typeof engines)[1]>);
    assert.equal(options.protocol, 'https');
    assert.equal(options.ca?.toString(), '-----BEGIN ca.pem-----\n');
  });

  test('refused with the file, the engine and the key named', () => {
    refused('engines: []', 'engines');
    refused('nothing: 1', 'engines');
    refused('engines: [ {', 'YAML');
    refused('engines:\n  - name: a\n    url: unix:///a.sock\n  - name: A\n    url: unix:///b.sock\n', 'engine "A"', 'twice');
    refused('engines:\n  - name: "db:1"\n    url: unix:///a.sock\n', 'key "name"', 'db:1');
    refused('engines:\n  - name: "../x"\n    url: unix:///a.sock\n', 'key "name"');
    refused('engines:\n  - url: unix:///a.sock\n', 'engine #1', 'key "name"');
    refused('engines:\n  - name: a\n    url: http://10.0.0.1:2375\n', 'engine "a"', 'key "url"');
    refused('engines:\n  - name: a\n    url: unix://relative.sock\n', 'engine "a"', 'key "url"');
    refused('engines:\n  - name: a\n    url: unix:///a.sock\n    required: maybe\n', 'key "required"');
    refused('engines:\n  - name: a\n    url: unix:///a.sock\n    timeoutMs: 5\n', 'key "timeoutMs"');
    refused('engines:\n  - name: a\n    url: unix:///a.sock\n    colour: red\n', 'key "colour"', 'unknown');
    refused(`engines:\n  - name: a\n    url: unix:///a.sock\n    tls: { ca: ${dir}/ca.pem, cert: ${dir}/cert.pem, key: ${dir}/key.pem }\n`, 'key "tls"', 'tcp://');
    refused(`engines:\n  - name: a\n    url: tcp://h:2376\n    tls: { ca: ${dir}/ca.pem, cert: ${dir}/cert.pem }\n`, 'key "tls.key"');
    refused(`engines:\n  - name: a\n    url: tcp://h:2376\n    tls: { ca: ${dir}/missing.pem, cert: ${dir}/cert.pem, key: ${dir}/key.pem }\n`, 'key "tls.ca"', 'missing.pem', 'ENOENT');
  });

  test('ssh: { key, knownHosts } on an ssh:// engine: paths resolved and checked; SSH_AUTH_SOCK is each ssh engine\'s agent', () => {
    const file = enginesFile(`engines:
  - name: local
    url: unix:///var/run/docker.sock
  - name: pi
    url: ssh://pi@10.0.0.7
    ssh: { key: key.pem, knownHosts: ${join(dir, 'ca.pem')} }
  - name: bare
    url: ssh://pi@10.0.0.8
`);
    const engines = loadConfig({ ENGINES_FILE: file, SSH_AUTH_SOCK: '/run/agent.sock' }).engines;
    // Host keys are always checked: an engine without its own file gets ~/.ssh/known_hosts, as OpenSSH would.
    const home = join(homedir(), '.ssh', 'known_hosts');
    assert.equal(engines[0]?.ssh, undefined);
    assert.deepEqual(engines[1]?.ssh, { key: join(dir, 'key.pem'), knownHosts: join(dir, 'ca.pem'), agent: '/run/agent.sock' });
    assert.deepEqual(engines[2]?.ssh, { knownHosts: home, agent: '/run/agent.sock' });
    assert.deepEqual(loadConfig({ ENGINES_FILE: file }).engines[2]?.ssh, { knownHosts: home });
    // SSH_KNOWN_HOSTS names the default file; an engine's own ssh.knownHosts still wins.
    const withDefault = loadConfig({ ENGINES_FILE: file, SSH_KNOWN_HOSTS: '/etc/gdm/known_hosts' }).engines;
    assert.deepEqual([withDefault[1]?.ssh?.knownHosts, withDefault[2]?.ssh?.knownHosts], [join(dir, 'ca.pem'), '/etc/gdm/known_hosts']);
    assert.deepEqual(loadConfig({ DOCKER_HOST: 'ssh://pi@10.0.0.7', SSH_AUTH_SOCK: '/run/agent.sock' }).engines[0]?.ssh, { knownHosts: home, agent: '/run/agent.sock' });
    assert.deepEqual(loadConfig({ DOCKER_HOST: 'ssh://pi@10.0.0.7', SSH_KNOWN_HOSTS: '/etc/gdm/known_hosts' }).engines[0]?.ssh, { knownHosts: '/etc/gdm/known_hosts' });
    assert.equal(loadConfig({ DOCKER_HOST: 'tcp://h:2375' }).engines[0]?.ssh, undefined);
    refused(`engines:\n  - name: a\n    url: tcp://h:2376\n    ssh: { key: ${dir}/key.pem }\n`, 'key "ssh"', 'ssh://');
    refused(`engines:\n  - name: a\n    url: ssh://u@h\n    ssh: { key: ${dir}/missing }\n`, 'key "ssh.key"', 'missing', 'ENOENT');
    refused(`engines:\n  - name: a\n    url: ssh://u@h\n    ssh: { password: x }\n`, 'key "ssh.password"', 'unknown');
    refused(`engines:\n  - name: a\n    url: ssh://u@h\n    ssh: /key\n`, 'key "ssh"');
  });

  test('a missing engines file is named', () => {
    assert.throws(() => loadConfig({ ENGINES_FILE: join(dir, 'nope.yaml') }), /Invalid ENGINES_FILE .*nope\.yaml: the file: cannot be read \(ENOENT\)/);
  });

  test('URLs are shown without user names, passwords or queries', () => {
    assert.equal(displayUrl('ssh://pi:secret@10.0.0.7'), 'ssh://10.0.0.7');
    assert.equal(displayUrl('tcp://u:p@10.0.0.5:2376/?token=x'), 'tcp://10.0.0.5:2376');
    assert.equal(displayUrl('unix:///var/run/docker.sock'), 'unix:///var/run/docker.sock');
  });
});
