import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { requireEngine } from '../helpers/docker-cli.js';
import { TokenService } from '../../src/access/tokens.js';

const CLI = ['--import', 'tsx', 'src/cli.ts'];

function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function exitCode(child: ReturnType<typeof spawn>): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

before(requireEngine);

describe('gui-docker-manager CLI', () => {
  test('an invalid variable stops start-up with one line naming it', async () => {
    const { child, output } = startCli(['serve'], { PORT: 'eighty' });
    assert.equal(await exitCode(child), 2);
    assert.match(output(), /Invalid PORT="eighty": expected a TCP port, 1-65535/);
    assert.equal(output().trim().split('\n').length, 1);
  });

  test('serve listens, answers, and exits cleanly on SIGTERM', async () => {
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const secret = 'cli-test-secret-0123456789abcdef';
    const { child, output } = startCli(['serve'], { PORT: port, HOST: '127.0.0.1', LOG_LEVEL: 'info', MONGODB_URL: 'mongodb://x', JWT_SECRET_KEY: secret, DATA_DIR: mkdtempSync(join(tmpdir(), 'gdm-cli-data-')) });
    const { token } = await new TokenService({ secret, ttlSeconds: 60, clockToleranceSeconds: 0, roleMap: {} }).sign({ sub: 'cli-test', role: 'user' });
    try {
      let res: Response | undefined;
      for (let i = 0; i < 100 && !res; i++) {
        res = await fetch(`http://127.0.0.1:${port}/api/v1/containers`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
        if (!res) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(res, `server answered (${output()})`);
      assert.equal(res.status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/containers`)).status, 401, 'the API needs a token');
      assert.match(output(), /ignoring platform variables/);
      assert.match(output(), /MONGODB_URL/);
      for (let i = 0; i < 50 && !/engine reachable/.test(output()); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(output(), /engine reachable/);
      child.kill('SIGTERM');
      assert.equal(await exitCode(child), 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('an invalid service groups file stops start-up with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gdm-cli-groups-'));
    const cases: [string, RegExp][] = [
      ['groups:\n  a: { dependsOn: [b] }\n  b: { dependsOn: [a] }\n', /dependency cycle between groups: a → b → a/],
      ['groups:\n  a: { dependsOn: [ghost] }\n', /group a depends on unknown group ghost/],
      ['groups:\n  a:\n    members: [{ name: x, pattern: "y*" }]\n', /exactly one of name, pattern, label, compose/],
    ];
    for (const [i, [yaml, reason]] of cases.entries()) {
      const file = join(dir, `g${i}.yaml`);
      writeFileSync(file, yaml);
      const { child, output } = startCli(['serve'], { SERVICE_GROUPS_FILE: file, PORT: '18097', DATA_DIR: dir });
      assert.equal(await exitCode(child), 2, output());
      assert.match(output(), reason);
      assert.match(output(), new RegExp(`Invalid service groups file ${file}`));
    }
  });

  test('an unknown command is refused with usage', async () => {
    const { child, output } = startCli(['frobnicate'], {});
    assert.equal(await exitCode(child), 2);
    assert.match(output(), /unknown command "frobnicate"/);
    assert.match(output(), /Usage:/);
  });
});
