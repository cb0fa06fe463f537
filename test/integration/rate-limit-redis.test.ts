import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';

let redis: ChildProcess | undefined;
let port = 0;

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const p = (server.address() as net.AddressInfo).port;
  server.close();
  return p;
}

/** A real redis-server (installed by scripts/setup-test-tools.sh), on loopback, no disk. */
before(async () => {
  await requireEngine();
  port = await freePort();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('redis-server did not start; is it installed (scripts/setup-test-tools.sh)?');
});
after(() => {
  redis?.kill('SIGKILL');
});

describe('rate limits shared through Redis', () => {
  test('two replicas count one budget per subject', async (t) => {
    // Replicas share the signing secret, as the platform's do.
    const env = { REDIS_URL: `redis://127.0.0.1:${port}/0`, RATE_LIMIT_PER_MINUTE: '4', JWT_SECRET_KEY: 'replicas-share-this-secret' };
    const a = await buildTestApp(t, env);
    const b = await buildTestApp(t, env);
    const headers = { authorization: `Bearer ${await a.tokenFor('user', { sub: `shared-${port}` })}` };
    const codes = [];
    for (const app of [a, b, a, b, a, b]) codes.push((await app.inject({ url: '/api/v1/services', headers })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 429, 429], 'the fifth call is refused, whichever replica gets it');
  });
});
