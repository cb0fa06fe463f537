import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';
import { freePort, RedisServer } from '../helpers/redis-server.js';

before(requireEngine);

async function statusCodes(app: TestApp, n: number, headers: (i: number) => Record<string, string>, url = '/api/v1/services'): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < n; i++) codes.push((await app.inject({ url, headers: headers(i) })).statusCode);
  return codes;
}

describe('anonymous and refused requests are rate limited (issue 11.3)', () => {
  test('requests without a token have a per-address budget, whatever X-Forwarded-For says', async (t) => {
    const app = await buildTestApp(t, { RATE_LIMIT_PER_MINUTE: '20' });
    const codes = await statusCodes(app, 30, (i) => ({ authorization: '', 'x-forwarded-for': `10.9.${i}.1` }));
    assert.deepEqual(codes.slice(0, 20), Array(20).fill(401));
    assert.deepEqual(codes.slice(20), Array(10).fill(429), 'a forged X-Forwarded-For does not buy a new budget');
    const limited = await app.inject({ url: '/api/v1/containers', headers: { authorization: '' } });
    assert.equal(limited.json<ErrorBody>().error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when');
    assert.equal((await app.inject({ url: '/health', headers: { authorization: '' } })).statusCode, 200, 'probes are not limited');
  });

  test('requests with bad tokens are counted by address like anything else', async (t) => {
    const app = await buildTestApp(t, { RATE_LIMIT_PER_MINUTE: '20' });
    const codes = await statusCodes(app, 30, (i) => ({ authorization: `Bearer not-a-token-${i}` }));
    assert.deepEqual(codes.slice(0, 20), Array(20).fill(401));
    assert.deepEqual(codes.slice(20), Array(10).fill(429));
    // A valid token has its own budget (per subject): the flood does not lock real users out.
    assert.equal((await app.inject({ url: '/api/v1/services' })).statusCode, 200);
  });

  test('behind a trusted proxy each client address has its own budget', async (t) => {
    const app = await buildTestApp(t, { RATE_LIMIT_PER_MINUTE: '20', TRUSTED_PROXIES: '127.0.0.1' });
    const codes = await statusCodes(app, 21, () => ({ authorization: '', 'x-forwarded-for': '10.9.0.1' }));
    assert.deepEqual(codes.slice(0, 20), Array(20).fill(401));
    assert.equal(codes[20], 429);
    assert.equal((await app.inject({ url: '/api/v1/services', headers: { authorization: '', 'x-forwarded-for': '10.9.0.2' } })).statusCode, 401);
  });
});

type StoreState = 'shared' | 'local' | 'connecting';

/** Resolves when the app's rate-limit store reports `want` (at once if it already does). */
async function storeState(app: TestApp, want: StoreState): Promise<void> {
  const deadline = AbortSignal.timeout(15_000);
  while (app.rateLimits.status().state !== want) {
    await once(app.rateLimits, 'state', { signal: deadline });
  }
}

async function health(app: TestApp) {
  const res = await app.inject({ url: '/health', headers: { authorization: '' } });
  assert.equal(res.statusCode, 200);
  return (res.json() as { rateLimits: { store: string; state: string; shared: boolean } }).rateLimits;
}

describe('a rate-limit store that goes away (issue 11.1)', () => {
  let redis: RedisServer;
  before(async () => {
    redis = new RedisServer(await freePort());
  });
  after(() => redis.dispose());

  test('Redis away, back, stopped and started: per-process limits meanwhile, one shared budget when it answers', async (t) => {
    // Replicas share the signing secret, as the platform's do. Redis is not running yet.
    const env = { REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: '4', JWT_SECRET_KEY: 'replicas-share-this-secret' };
    // Replica a logs to memory: the outage must be one warning, not one per reconnect attempt.
    const warnings: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const line = JSON.parse(chunk.toString()) as { level: number; msg: string };
        if (line.level === 40 && line.msg.includes('redis')) warnings.push(line.msg);
        done();
      },
    });
    const a = await buildTestApp(t, env, { logger: pino({ level: 'warn' }, sink) });
    const b = await buildTestApp(t, env);
    const bearer = async (sub: string) => ({ authorization: `Bearer ${await a.tokenFor('user', { sub: `${sub}-${redis.port}` })}` });
    const alternate = async (sub: string) => {
      const headers = await bearer(sub);
      const codes: number[] = [];
      for (const app of [a, b, a, b, a, b]) codes.push((await app.inject({ url: '/api/v1/services', headers })).statusCode);
      return codes;
    };
    const perProcess = async (sub: string) => {
      const headers = await bearer(sub);
      const started = Date.now();
      const codes = [...(await statusCodes(a, 5, () => headers)), ...(await statusCodes(b, 5, () => headers))];
      return { codes, ms: Date.now() - started };
    };
    const expectPerProcess = async (sub: string) => {
      const { codes, ms } = await perProcess(sub);
      assert.deepEqual(codes, [200, 200, 200, 200, 429, 200, 200, 200, 200, 429], 'each replica counts its own budget, nothing fails');
      assert.ok(ms < 2000, `ten requests took ${ms} ms: nobody waits on a dead Redis`);
      t.diagnostic(`${sub}: ten requests while Redis is away took ${ms} ms`);
    };

    // 1. Redis down at boot: the apps start and limit per process.
    assert.equal(await a.inject({ url: '/ready', headers: { authorization: '' } }).then((r) => r.statusCode), 200);
    assert.notEqual(a.rateLimits.status().state, 'shared');
    await expectPerProcess('boot');
    assert.deepEqual(await health(a), { store: 'redis', state: a.rateLimits.status().state, shared: false });

    // 2. Redis comes: one budget for both replicas.
    await redis.start();
    await Promise.all([storeState(a, 'shared'), storeState(b, 'shared')]);
    assert.deepEqual(await health(b), { store: 'redis', state: 'shared', shared: true });
    assert.deepEqual(await alternate('up'), [200, 200, 200, 200, 429, 429], 'the fifth call is refused, whichever replica gets it');

    // 3. Redis stops: per-process budgets, no 500, /health and /metrics say so.
    await redis.stop();
    await Promise.all([storeState(a, 'local'), storeState(b, 'local')]);
    await expectPerProcess('down');
    assert.deepEqual(await health(a), { store: 'redis', state: 'local', shared: false });
    const metrics = (await a.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^gdm_rate_limit_store_up 0$/m);
    assert.match(metrics, /^gdm_rate_limit_store_fallbacks_total 1$/m);

    // 4. Redis starts again: shared again.
    await redis.start();
    await Promise.all([storeState(a, 'shared'), storeState(b, 'shared')]);
    assert.deepEqual(await alternate('back'), [200, 200, 200, 200, 429, 429]);
    assert.match((await b.inject({ url: '/metrics' })).body, /^gdm_rate_limit_store_up 1$/m);
    assert.equal(warnings.length, 2, `one warning at boot and one when Redis stopped: ${JSON.stringify(warnings)}`);
  });

  test('a Redis that stops answering does not hold requests, and is used again when it answers', async (t) => {
    await redis.start();
    const env = { REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: '4', JWT_SECRET_KEY: 'replicas-share-this-secret' };
    const a = await buildTestApp(t, env);
    const b = await buildTestApp(t, env);
    await Promise.all([storeState(a, 'shared'), storeState(b, 'shared')]);
    const headers = { authorization: `Bearer ${await a.tokenFor('user', { sub: `frozen-${redis.port}` })}` };

    redis.pause();
    const slowest: number[] = [];
    const codes: number[] = [];
    for (const app of [a, a, a, a, a, b]) {
      const started = Date.now();
      codes.push((await app.inject({ url: '/api/v1/services', headers })).statusCode);
      slowest.push(Date.now() - started);
    }
    assert.deepEqual(codes, [200, 200, 200, 200, 429, 200], 'per-process budgets while Redis is frozen');
    assert.ok(Math.max(...slowest) < 1500, `no request waits long on a frozen Redis (slowest ${Math.max(...slowest)} ms)`);
    t.diagnostic(`request times while Redis is frozen (ms): ${slowest.join(', ')}`);
    await Promise.all([storeState(a, 'local'), storeState(b, 'local')]);
    assert.equal((await health(a)).shared, false);

    redis.resume();
    const thawing = Date.now();
    await Promise.all([storeState(a, 'shared'), storeState(b, 'shared')]);
    t.diagnostic(`shared again ${Date.now() - thawing} ms after Redis answered`);
    const fresh = { authorization: `Bearer ${await a.tokenFor('user', { sub: `thawed-${redis.port}` })}` };
    const after: number[] = [];
    for (const app of [a, b, a, b, a, b]) after.push((await app.inject({ url: '/api/v1/services', headers: fresh })).statusCode);
    assert.deepEqual(after, [200, 200, 200, 200, 429, 429]);
  });
});
