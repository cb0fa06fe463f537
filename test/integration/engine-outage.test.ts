import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody } from '../helpers/app.js';
import { Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';
import { EngineSocketProxy } from '../helpers/socket-proxy.js';

const fixture = new Fixture();
before(requireEngine);
after(() => fixture.cleanup());

describe('engine unreachable', () => {
  test('with no engine at DOCKER_HOST the service still serves: 503 on engine routes, /ready false, / and /live fine', async (t) => {
    const app = await buildTestApp(t, { DOCKER_HOST: 'unix:///tmp/gdm-no-engine-here.sock' });
    const list = await app.inject({ url: '/api/v1/containers' });
    assert.equal(list.statusCode, 503);
    const body = list.json() as ErrorBody;
    assert.equal(body.error.code, 'DOCKER_UNAVAILABLE');
    assert.match(body.error.message, /DOCKER_HOST/);
    assert.ok(!body.error.message.includes('/tmp/gdm-no-engine-here.sock'), 'no internal detail in a 5xx');

    for (const url of ['/api/v1/containers/x', '/api/v1/containers/x/logs', '/api/v1/containers/x/stats']) {
      assert.equal((await app.inject({ url })).statusCode, 503, url);
    }
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/containers/x/start' })).statusCode, 503);

    const ready = await app.inject({ url: '/ready' });
    assert.equal(ready.statusCode, 503);
    const readyBody = ready.json() as { ready: boolean; engine: { reachable: boolean; hint?: string } };
    assert.equal(readyBody.ready, false);
    assert.equal(readyBody.engine.reachable, false);
    assert.match(readyBody.engine.hint ?? '', /setup-engine|DOCKER_HOST/);

    assert.equal((await app.inject({ url: '/live' })).statusCode, 200);
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 200);
    assert.equal((root.json() as { engine: { reachable: boolean } }).engine.reachable, false);
    const health = (await app.inject({ url: '/health' })).json() as { status: string };
    assert.equal(health.status, 'degraded');
    const metrics = await app.inject({ url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /gdm_engine_up\{engine="local"\} 0/);
  });

  test('recovers by itself when the engine comes back', async (t) => {
    const proxy = new EngineSocketProxy();
    await proxy.up();
    t.after(() => proxy.down());
    const c = await fixture.run();
    const app = await buildTestApp(t, { DOCKER_HOST: proxy.dockerHost });

    assert.equal((await app.inject({ url: `/api/v1/containers/${c.name}` })).statusCode, 200);
    assert.equal((await app.inject({ url: '/ready' })).statusCode, 200);

    await proxy.down();
    const notReady = await waitFor(() => app.inject({ url: '/ready' }), (r) => r.statusCode === 503, 5000);
    assert.equal(notReady.statusCode, 503);
    const started = Date.now();
    assert.equal((await app.inject({ url: `/api/v1/containers/${c.name}` })).statusCode, 503);
    assert.ok(Date.now() - started < 1000, 'a known outage answers 503 at once');

    await proxy.up();
    const ready = await waitFor(() => app.inject({ url: '/ready' }), (r) => r.statusCode === 200, 5000);
    assert.equal(ready.statusCode, 200);
    const details = await app.inject({ url: `/api/v1/containers/${c.name}` });
    assert.equal(details.statusCode, 200);
    assert.match((await app.inject({ url: '/metrics' })).body, /gdm_engine_event_stream_reconnects_total\{engine="local"\} [1-9]/);
    assert.equal((details.json() as { id: string }).id, c.id);
  });
});
