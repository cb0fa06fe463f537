import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { requireEngine } from '../helpers/docker-cli.js';
import { until } from '../helpers/events.js';
import { freePort } from '../helpers/redis-server.js';
import { TokenService } from '../../src/access/tokens.js';

const CLI = ['--import', 'tsx', 'src/cli.ts'];

function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Emits `output` on every chunk and on exit, so that a test can wait for a log line.
  const progress = new EventEmitter();
  child.stdout.on('data', (d: Buffer) => ((output += d.toString()), progress.emit('output')));
  child.stderr.on('data', (d: Buffer) => ((output += d.toString()), progress.emit('output')));
  child.on('close', () => progress.emit('output'));
  /** Resolves once the output matches `pattern` (fails at once if the process ended without it). */
  const untilOutput = async (pattern: RegExp, timeoutMs: number, what: string) => {
    await until(progress, 'output', () => pattern.test(output) || child.exitCode !== null || child.signalCode !== null, timeoutMs, what).catch((err: Error) => {
      throw new Error(`${err.message}; output so far: ${output}`);
    });
    assert.match(output, pattern, `${what}, before the process ended: ${output}`);
  };
  return { child, output: () => output, untilOutput };
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
    const port = String(await freePort());
    const secret = 'cli-test-secret-0123456789abcdef';
    const { child, output, untilOutput } = startCli(['serve'], { PORT: port, HOST: '127.0.0.1', LOG_LEVEL: 'info', MONGODB_URL: 'mongodb://x', JWT_SECRET_KEY: secret, DATA_DIR: mkdtempSync(join(tmpdir(), 'gdm-cli-data-')) });
    const { token } = await new TokenService({ secret, ttlSeconds: 60, clockToleranceSeconds: 0, roleMap: {} }).sign({ sub: 'cli-test', role: 'user' });
    try {
      // The last line of start-up: listening, and the engine checked (it logs "engine reachable" before).
      await untilOutput(/gui-docker-manager ready/, 30_000, 'the "ready" log line');
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/containers`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/containers`)).status, 401, 'the API needs a token');
      assert.match(output(), /ignoring platform variables/);
      assert.match(output(), /MONGODB_URL/);
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
