import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENV_FILE = '/run/gdm-test-sshd/sshd.env';

/** The test sshd of scripts/setup-test-sshd.sh: its sessions' `docker` reaches e2. */
export interface TestSshd {
  port: number;
  /** The client's private key (ed25519, unencrypted) and the known_hosts line of the sshd's host key. */
  key: string;
  knownHosts: string;
  /** The engine `docker system dial-stdio` reaches over this sshd (e2's URL). */
  engineHost: string;
}

/** The test sshd; fails loudly (never skips) when the set-up has not run. */
export function requireTestSshd(): TestSshd {
  let text: string;
  try {
    text = readFileSync(ENV_FILE, 'utf8');
  } catch {
    throw new Error(`${ENV_FILE} is missing: the test sshd is not set up; run scripts/setup-test-sshd.sh (the README test command does).`);
  }
  const v: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) v[line.slice(0, at)] = line.slice(at + 1);
  }
  return { port: Number(v.GDM_SSHD_PORT), key: v.GDM_SSHD_KEY!, knownHosts: v.GDM_SSHD_KNOWN_HOSTS!, engineHost: v.GDM_SSHD_ENGINE_HOST! };
}

/** An ENGINES_FILE with the first engine `local` and `viassh` over the test sshd (with its key), removed by `after`. */
export function writeSshEnginesFile(after: (fn: () => void) => void, sshd: TestSshd, ssh = `{ key: ${sshd.key}, knownHosts: ${sshd.knownHosts} }`): string {
  const dir = mkdtempSync(join(tmpdir(), 'gdm-engines-ssh-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'engines.yaml');
  const lines = ['engines:', '  - name: local', '    url: unix:///var/run/docker.sock', '  - name: viassh', `    url: ssh://root@127.0.0.1:${sshd.port}`, `    ssh: ${ssh}`];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
