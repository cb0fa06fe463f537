import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';

const fixture = new Fixture();
let target: { id: string; name: string };

before(async () => {
  await requireEngine();
  target = await fixture.run();
});
after(() => fixture.cleanup());

function assertError(res: { statusCode: number; json: () => unknown; headers: Record<string, unknown> }, status: number, code: string): ErrorBody {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type']), /application\/json/);
  const body = res.json() as ErrorBody;
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0);
  assert.ok(body.requestId.length > 0);
  return body;
}

/** Finds (or makes, with created-only containers) a one-character id prefix shared by two containers. */
async function ambiguousPrefix(): Promise<string> {
  for (let round = 0; round < 20; round++) {
    const ids = (await docker('ps', '-aq', '--no-trunc')).split('\n').filter(Boolean);
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id[0] as string)) return id[0] as string;
      seen.add(id[0] as string);
    }
    await fixture.run({ createOnly: true });
  }
  throw new Error('could not make two containers share an id prefix');
}

describe('bad input gets the right 4xx with a JSON error', () => {
  test('unknown id → 404, for every container route', async (t) => {
    const app = await buildTestApp(t);
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/logs'],
      ['GET', '/stats'],
      ['POST', '/start'],
      ['POST', '/stop'],
      ['POST', '/restart'],
    ] as const) {
      const res = await app.inject({ method, url: `/api/v1/containers/gdm-no-such-container${path}` });
      assertError(res, 404, 'CONTAINER_NOT_FOUND');
    }
  });

  test('ambiguous id prefix → 409, and nothing is acted on', async (t) => {
    const app = await buildTestApp(t);
    const prefix = await ambiguousPrefix();
    const before = await docker('ps', '-q', '--no-trunc');
    assertError(await app.inject({ url: `/api/v1/containers/${prefix}` }), 409, 'AMBIGUOUS_CONTAINER_ID');
    assertError(await app.inject({ method: 'POST', url: `/api/v1/containers/${prefix}/stop?timeout=0` }), 409, 'AMBIGUOUS_CONTAINER_ID');
    assert.equal(await docker('ps', '-q', '--no-trunc'), before, 'no running container was stopped');
  });

  test('timeout out of range or not a number → 400, container untouched', async (t) => {
    const app = await buildTestApp(t);
    for (const timeout of ['-1', '3601', '99999999999', 'abc', '1.5']) {
      assertError(await app.inject({ method: 'POST', url: `/api/v1/containers/${target.name}/stop?timeout=${timeout}` }), 400, 'VALIDATION_ERROR');
    }
    assert.equal(JSON.parse(await docker('inspect', '--format', '{{json .State.Running}}', target.name)), true);
  });

  test('tail not a number or above the maximum → 400; bad since → 400', async (t) => {
    const app = await buildTestApp(t);
    for (const query of ['tail=abc', 'tail=-5', 'tail=10001', 'since=yesterday', 'until=%3B%20rm']) {
      assertError(await app.inject({ url: `/api/v1/containers/${target.name}/logs?${query}` }), 400, 'VALIDATION_ERROR');
    }
  });

  test('very long ids and path tricks → 400', async (t) => {
    const app = await buildTestApp(t);
    for (const ref of ['a'.repeat(300), '..%2F', '..%2F..%2Fetc%2Fpasswd', 'name%20with%20space', '-rf', '%00', '.hidden']) {
      assertError(await app.inject({ url: `/api/v1/containers/${ref}` }), 400, 'VALIDATION_ERROR');
    }
    // Dot segments are resolved by the URL parser before routing: no container route matches.
    assertError(await app.inject({ url: '/api/v1/containers/%2e%2e' }), 404, 'NOT_FOUND');
  });

  test('unknown routes → 404 JSON; unknown method → 404 JSON', async (t) => {
    const app = await buildTestApp(t);
    assertError(await app.inject({ url: '/api/v1/nothing-here' }), 404, 'NOT_FOUND');
    assertError(await app.inject({ method: 'DELETE', url: `/api/v1/containers/${target.name}` }), 404, 'NOT_FOUND');
    assert.equal(JSON.parse(await docker('inspect', '--format', '{{json .State.Running}}', target.name)), true);
  });

  test('a request id given by the caller is echoed; a malformed one is replaced', async (t) => {
    const app = await buildTestApp(t);
    const res = await app.inject({ url: '/api/v1/containers/gdm-no-such', headers: { 'x-request-id': 'trace-123' } });
    assert.equal((res.json() as ErrorBody).requestId, 'trace-123');
    assert.equal(res.headers['x-request-id'], 'trace-123');
    const bad = await app.inject({ url: '/api/v1/containers/gdm-no-such', headers: { 'x-request-id': '<script>' } });
    assert.notEqual((bad.json() as ErrorBody).requestId, '<script>');
  });
});
