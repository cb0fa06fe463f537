import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { requireEngine } from '../helpers/docker-cli.js';

before(requireEngine);

/**
 * From the failure to the end of the process. The service gives up within a second
 * (CLOSE_ON_FAILURE_MS is 500 ms); the rest is margin for a loaded CI machine.
 */
const EXIT_AFTER_FAILURE_MS = 1500;
/** Spawn to exit is mostly loading the modules (seconds under tsx on a busy machine): bounded, not timed. */
const GIVE_UP_MS = 30_000;

describe('start-up failures end the process (11.2)', () => {
  test('a port in use: serve logs why and exits non-zero within a second, instead of idling forever', async (t) => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as AddressInfo).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'gdm-startup-'));
    t.after(() => {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const spawnedAt = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET_KEY: 'startup-test-secret-0123456789', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // Before the fix the process never exits: end it after a bound so the test fails, not hangs.
    const guard = setTimeout(() => child.kill('SIGKILL'), GIVE_UP_MS); // timer-ok: a bound on the wait for exit, not a wait itself
    t.after(() => {
      clearTimeout(guard);
      child.kill('SIGKILL');
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    const exitedAt = Date.now();
    assert.equal(signal, null, `exited by itself, not killed after ${exitedAt - spawnedAt} ms: ${output}`);
    assert.equal(code, 1, output);
    assert.match(output, /failed to start: listen EADDRINUSE/);
    // The moment of the failure, by the service's own clock (same machine): its fatal log line.
    const fatal = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; time: number; msg: string })
      .find((line) => line.level === 60);
    assert.ok(fatal, `a fatal log line names the failure: ${output}`);
    assert.match(fatal.msg, new RegExp(`failed to listen on 127\\.0\\.0\\.1:${port}`));
    const afterFailure = exitedAt - fatal.time;
    t.diagnostic(`spawn to exit: ${exitedAt - spawnedAt} ms; failure to exit: ${afterFailure} ms`);
    assert.ok(afterFailure < EXIT_AFTER_FAILURE_MS, `exited ${afterFailure} ms after the failure (limit ${EXIT_AFTER_FAILURE_MS})`);
  });
});
