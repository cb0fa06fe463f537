import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeFinding } from '../../src/compose/findings.js';
import { engineSockets } from '../../src/compose/paths.js';
import { checkModel } from '../../src/compose/policy.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gdm-policy-')));
mkdirSync(join(dir, 'data'));
symlinkSync('/etc', join(dir, 'etc-link'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { dirReal: dir, sockets: engineSockets('unix:///tmp/gdm-policy-other.sock') };

/** The keys a model is refused for, as `path=hostAccess`. */
function keys(services: Record<string, unknown>, top: Record<string, unknown> = {}): string[] {
  return checkModel({ services, ...top }, ctx).map((f) => `${f.path.join('.')}=${f.hostAccess}`);
}

describe('compose policy on the resolved model (v2 JSON shapes)', () => {
  test('a plain service, binds inside the folder and named volumes pass', () => {
    const svc = {
      image: 'x',
      volumes: [`${dir}/data:/d:rw`, { type: 'bind', source: `${dir}/data`, target: '/e' }, { type: 'volume', source: 'v', target: '/v' }, 'v:/w', '/anon'],
      network_mode: 'service:other',
      security_opt: ['no-new-privileges:true', 'apparmor:my-profile'],
      build: { context: `${dir}/data`, dockerfile: 'Dockerfile', additional_contexts: { base: 'docker-image://alpine' } },
    };
    assert.deepEqual(keys({ a: svc, other: { image: 'x' } }, { volumes: { v: {} }, networks: { default: { name: 'p_default' } } }), []);
  });

  test('each way to the host is a host-access finding', () => {
    const found = keys({
      a: {
        privileged: true,
        pid: 'host',
        ipc: 'container:x',
        network_mode: 'host',
        uts: 'host',
        userns_mode: 'host',
        cgroup: 'host',
        cap_add: ['NET_ADMIN'],
        devices: [{ source: '/dev/kmsg', target: '/dev/kmsg', permissions: 'rwm' }],
        device_cgroup_rules: ['c 1:3 mr'],
        security_opt: ['seccomp=unconfined', 'apparmor:unconfined', 'label=disable', 'label=type:spc_t', 'systempaths=unconfined', 'seccomp=/tmp/profile.json'],
        volumes_from: ['container:db:ro'],
        volumes: [{ type: 'bind', source: '/var/run/docker.sock', target: '/s' }, '/run/docker.sock:/t', '/tmp/gdm-policy-other.sock:/u'],
      },
    });
    assert.deepEqual(found, [
      'services.a.privileged=true',
      'services.a.pid=true',
      'services.a.ipc=true',
      'services.a.network_mode=true',
      'services.a.uts=true',
      'services.a.userns_mode=true',
      'services.a.cgroup=true',
      'services.a.cap_add=true',
      'services.a.devices=true',
      'services.a.device_cgroup_rules=true',
      ...Array(6).fill('services.a.security_opt=true'),
      'services.a.volumes_from=true',
      // The two usual socket paths and the one DOCKER_HOST names.
      ...Array(3).fill('services.a.volumes=true'),
    ]);
  });

  test('host paths outside the folder: binds (symlinks followed), bind volumes, files, build paths', () => {
    const found = keys(
      {
        a: {
          volumes: [`${dir}/etc-link:/e`, `${dir}/etc-link/missing/deeper:/m`, { type: 'bind', source: '/', target: '/h' }, 'up:/u'],
          env_file: [{ path: '/etc/environment', required: false }],
          label_file: ['/etc/hostname'],
          build: { context: '/', dockerfile: '/etc/Dockerfile', additional_contexts: { x: '/srv' }, ssh: ['key=/root/.ssh/id_rsa'] },
        },
      },
      {
        volumes: { up: { driver: 'local', driver_opts: { type: 'none', o: 'bind', device: '/etc' } }, dev: { driver_opts: { type: 'ext4', device: '/dev/sda1' } }, nfs: { driver_opts: { type: 'nfs', o: 'addr=10.0.0.1', device: ':/export' } } },
        secrets: { s: { file: '/etc/shadow' } },
        configs: { c: { file: `${dir}/data/ok.conf` } },
        networks: { default: { name: 'host', external: true } },
      },
    );
    assert.deepEqual(found, [
      'services.a.volumes=false',
      'services.a.volumes=false',
      'services.a.volumes=false',
      'services.a.env_file=false',
      'services.a.label_file=false',
      'services.a.build.context=false',
      'services.a.build.dockerfile=false',
      'services.a.build.additional_contexts.x=false',
      'services.a.build.ssh=false',
      'volumes.up.driver_opts.device=false',
      'volumes.dev.driver_opts.device=false',
      'networks.default=true',
      'secrets.s.file=false',
    ]);
  });

  test('a refusal names the file that writes the key, the key, the value and who uses it', () => {
    const [finding] = checkModel({ services: { web: { volumes: ['etc:/x'] } }, volumes: { etc: { driver_opts: { o: 'bind', device: '/etc' } } } }, ctx);
    assert.ok(finding);
    const docs = new Map<string, unknown>([
      ['base.yml', { services: { web: { image: 'x' } } }],
      ['volumes.yml', { volumes: { etc: { driver_opts: { o: 'bind', device: '${DIR}' } } } }],
    ]);
    assert.equal(describeFinding(finding, docs, ['base.yml', 'volumes.yml']), 'volumes.yml: volumes.etc.driver_opts.device "/etc" lies outside the project folder (used by services.web)');
  });
});
