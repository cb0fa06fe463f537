import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestEngine } from './test-engines.js';

/**
 * An ENGINES_FILE naming the first engine `local` (required) and the test engines e2 (unix
 * socket) and e3 (tcp with mutual TLS), removed by `after`.
 */
export function writeEnginesFile(after: (fn: () => void) => void, engines: TestEngine[], extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'gdm-engines-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = ['engines:', '  - name: local', '    url: unix:///var/run/docker.sock'];
  for (const e of engines) {
    lines.push(`  - name: ${e.name}`, `    url: ${e.url}`);
    if (e.certPath) lines.push(`    tls: { ca: ${e.certPath}/ca.pem, cert: ${e.certPath}/cert.pem, key: ${e.certPath}/key.pem }`);
  }
  const file = join(dir, 'engines.yaml');
  writeFileSync(file, `${lines.join('\n')}\n${extra}`);
  return file;
}
