import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';
import { freePort, RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer | undefined;
let port = 0;

/** A real redis-server (installed by scripts/setup-test-tools.sh), on loopback, no disk; start() waits for its "ready" log line. */
before(async () => {
  await requireEngine();
  port = await freePort();
  redis = new RedisServer(port);
  await redis.start();
});
after(() => redis?.dispose());

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
