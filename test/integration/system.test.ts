import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { after } from 'node:test';
import { docker, Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';

const fixture = new Fixture();
before(requireEngine);
after(() => fixture.cleanup());

describe('probes and documentation', () => {
  test('/ names the service, its version, the engine and links', async (t) => {
    const app = await buildTestApp(t);
    const body = (await app.inject({ url: '/' })).json() as { name: string; version: string; engine: { reachable: boolean; version: string }; links: Record<string, string> };
    assert.equal(body.name, 'gui-docker-manager');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.equal(body.engine.reachable, true);
    assert.equal(body.engine.version, await docker('version', '--format', '{{.Server.Version}}'));
    assert.equal(body.links.docs, '/docs');
  });

  test('health, live and ready answer at the root and under /api/v1', async (t) => {
    const app = await buildTestApp(t);
    for (const prefix of ['', '/api/v1']) {
      const health = await app.inject({ url: `${prefix}/health` });
      assert.equal(health.statusCode, 200);
      assert.equal((health.json() as { status: string }).status, 'ok');
      assert.deepEqual((await app.inject({ url: `${prefix}/live` })).json(), { status: 'alive' });
      const ready = await app.inject({ url: `${prefix}/ready` });
      assert.equal(ready.statusCode, 200);
      assert.equal((ready.json() as { ready: boolean }).ready, true);
    }
  });

  test('/metrics has process metrics, request counts by route and status, and containers by state', async (t) => {
    const app = await buildTestApp(t);
    await app.inject({ url: '/api/v1/containers' });
    await app.inject({ url: '/api/v1/containers/gdm-no-such' });
    const res = await app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/plain/);
    assert.match(res.body, /gdm_process_resident_memory_bytes \d+/);
    assert.match(res.body, /gdm_http_requests_total\{method="GET",route="\/api\/v1\/containers",status="200"\} 1/);
    assert.match(res.body, /gdm_http_requests_total\{method="GET",route="\/api\/v1\/containers\/:id",status="404"\} 1/);
    assert.match(res.body, /gdm_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/api\/v1\/containers",status="200"\}/);
    assert.match(res.body, /gdm_engine_up\{engine="local"\} 1/);
    const running = (await docker('ps', '-q')).split('\n').filter(Boolean).length;
    if (running > 0) assert.match(res.body, new RegExp(`gdm_containers\\{engine="local",state="running"\\} ${running}`));
  });

  test('METRICS_CONTAINER_STATS=true adds per-container CPU and memory gauges', async (t) => {
    const app = await buildTestApp(t, { METRICS_CONTAINER_STATS: 'true' });
    const c = await fixture.run();
    const body = await waitFor(
      async () => (await app.inject({ url: '/metrics' })).body,
      (b) => b.includes(`gdm_container_memory_bytes{name="${c.name}"`),
      5000,
    );
    assert.match(body, new RegExp(`gdm_container_memory_bytes\\{name="${c.name}",group="",engine="local"\\} [1-9]\\d*`));
    assert.match(body, new RegExp(`gdm_container_cpu_percent\\{name="${c.name}",group="",engine="local"\\} [\\d.]+`));
    assert.match(body, /gdm_group_status\{group="foundation",status="(empty|running|partial|stopped|unhealthy)"\} 1/);
    const plain = await buildTestApp(t);
    assert.doesNotMatch((await plain.inject({ url: '/metrics' })).body, /gdm_container_memory_bytes\{/);
  });

  test('METRICS_TOKEN protects /metrics', async (t) => {
    const app = await buildTestApp(t, { METRICS_TOKEN: 'a-long-metrics-token-123' });
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
    assert.equal((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-wrong-token' } })).statusCode, 401);
    const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer a-long-metrics-token-123' } });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /gdm_http_requests_total/);
  });

  test('/openapi.json documents every container route with its schemas; /docs serves the UI', async (t) => {
    const app = await buildTestApp(t);
    const doc = (await app.inject({ url: '/openapi.json' })).json() as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    };
    assert.match(doc.openapi, /^3\./);
    for (const path of ['/api/v1/containers', '/api/v1/containers/{id}', '/api/v1/containers/{id}/logs', '/api/v1/containers/{id}/stats']) {
      assert.ok(doc.paths[path]?.get, `GET ${path}`);
    }
    for (const action of ['start', 'stop', 'restart']) assert.ok(doc.paths[`/api/v1/containers/{id}/${action}`]?.post, action);
    const stop = doc.paths['/api/v1/containers/{id}/stop']?.post;
    assert.ok(stop?.parameters?.some((p) => p.name === 'timeout'));
    assert.ok(stop?.responses['404'] && stop.responses['409']);
    const docs = await app.inject({ url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });

  test('every route schema compiles (they compile on first use at run time); a lazily compiled validator still refuses bad input', async (t) => {
    const app = await buildTestApp(t);
    // Before any request: each route's validators and serializers are handed out, none compiled yet.
    const count = app.compileAllSchemas();
    assert.ok(count > 400, `${count} validators and serializers`);
    const bad = await app.inject({ url: '/api/v1/containers?status=sideways' });
    assert.equal(bad.statusCode, 400);
    assert.equal((bad.json() as { error: { code: string } }).error.code, 'VALIDATION_ERROR');
  });

  test('CORS answers only for configured origins', async (t) => {
    const app = await buildTestApp(t, { CORS_ORIGINS: 'https://gui.example.org' });
    const allowed = await app.inject({ url: '/api/v1/containers', headers: { origin: 'https://gui.example.org' } });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://gui.example.org');
    const other = await app.inject({ url: '/api/v1/containers', headers: { origin: 'https://evil.example.com' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});
