import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { registerAuditHook } from '../../src/access/http/audit-hook.js';
import type { AuditLog } from '../../src/access/audit.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';

before(requireEngine);

const suffix = randomBytes(4).toString('hex');

interface Row {
  id: number;
  time: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  status: number;
  requestId: string;
  details: { body?: Record<string, unknown>; query?: Record<string, unknown> } | null;
}

/** The audit row of one answered request, found by the request id the answer carries. */
async function rowOf(app: TestApp, res: { headers: Record<string, unknown> }): Promise<Row> {
  const requestId = String(res.headers['x-request-id']);
  const { entries } = (await app.inject({ url: '/api/v1/audit?limit=1000' })).json() as { entries: Row[] };
  const row = entries.find((e) => e.requestId === requestId);
  assert.ok(row, `an audit row for request ${requestId}`);
  return row;
}

describe('audit rows say what was asked (18.8)', () => {
  test('compose down with {"volumes": true} records the project and its options, refused or not', async (t) => {
    const app = await buildTestApp(t);
    const project = `gdm-absent-${suffix}`;
    const res = await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project, options: { volumes: true, removeOrphans: false } } });
    assert.ok(res.statusCode >= 400, `a project that does not exist is refused (${res.statusCode})`);
    const row = await rowOf(app, res);
    assert.equal(row.action, 'POST /api/v1/compose/down');
    assert.equal(row.outcome, 'failed');
    assert.equal(row.status, res.statusCode);
    assert.deepEqual(row.details?.body, { project, options: { volumes: true, removeOrphans: false } });

    // Invalid input (400) is audited with what was sent, too: here the unknown option.
    const invalid = await app.inject({ method: 'POST', url: '/api/v1/compose/down', payload: { project, options: { volumes: 'yes', purge: true } } });
    assert.equal(invalid.statusCode, 400);
    assert.deepEqual((await rowOf(app, invalid)).details?.body, { project, options: { volumes: 'yes', purge: true } });
  });

  test('user creation records the name, role and groups, never the password', async (t) => {
    const app = await buildTestApp(t);
    const password = `Secret-${suffix}-password`;
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: `audited-${suffix}`, password, role: 'developer', groups: ['core'] } });
    assert.equal(res.statusCode, 201);
    const row = await rowOf(app, res);
    assert.equal(row.outcome, 'allowed');
    assert.deepEqual(row.details?.body, { username: `audited-${suffix}`, role: 'developer', groups: ['core'] });
    assert.ok(!JSON.stringify(row).includes(password), 'the password is nowhere in the row');

    // The same name again is refused (409) and audited with the name.
    const again = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: `audited-${suffix}`, password, role: 'user' } });
    assert.equal(again.statusCode, 409);
    const refused = await rowOf(app, again);
    assert.deepEqual(refused.details?.body, { username: `audited-${suffix}`, role: 'user' });
    assert.ok(!JSON.stringify(refused).includes(password));
  });

  test('user PATCH records the change; a password reset records that it happened, not the password', async (t) => {
    const app = await buildTestApp(t);
    const created = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: `patched-${suffix}`, password: 'first-password-123', role: 'user' } });
    const { id } = created.json() as { id: number };
    const patch = await app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { role: 'admin', groups: ['core', 'support'], disabled: true } });
    assert.equal(patch.statusCode, 200);
    const row = await rowOf(app, patch);
    assert.equal(row.action, 'PATCH /api/v1/users/:userId');
    assert.equal(row.target, String(id));
    assert.deepEqual(row.details?.body, { role: 'admin', groups: ['core', 'support'], disabled: true });

    const newPassword = `Reset-${suffix}-password`;
    const reset = await app.inject({ method: 'POST', url: `/api/v1/users/${id}/password`, payload: { password: newPassword } });
    assert.equal(reset.statusCode, 200);
    const resetRow = await rowOf(app, reset);
    assert.equal(resetRow.action, 'POST /api/v1/users/:userId/password');
    assert.ok(!JSON.stringify(resetRow).includes(newPassword));
  });

  test('a failed login records the name tried, never the password', async (t) => {
    const app = await buildTestApp(t);
    const password = `Guess-${suffix}-password`;
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { authorization: '' }, payload: { username: `nobody-${suffix}`, password } });
    assert.equal(res.statusCode, 401);
    const row = await rowOf(app, res);
    assert.deepEqual(row.details?.body, { username: `nobody-${suffix}` });
    assert.ok(!JSON.stringify(row).includes(password));
  });

  test('query options of a mutating call are recorded', async (t) => {
    const app = await buildTestApp(t);
    const res = await app.inject({ method: 'POST', url: `/api/v1/containers/gdm-absent-${suffix}/stop?timeout=3` });
    assert.equal(res.statusCode, 404);
    assert.deepEqual((await rowOf(app, res)).details?.query, { timeout: 3 });
  });

  test('a mutating route with a body must declare what its audit row keeps', async () => {
    const app = Fastify();
    registerAuditHook(app, { record() {} } as unknown as AuditLog);
    assert.throws(() => app.post('/x', { schema: { body: { type: 'object' } } }, async () => ({})), /audit/);
    app.post('/y', { config: { audit: { body: [] } }, schema: { body: { type: 'object' } } }, async () => ({}));
    await app.close();
  });
});

describe('audit time filters compare instants (18.8)', () => {
  test('since/until with a +05:00 offset select by instant, not by text', async (t) => {
    const app = await buildTestApp(t);
    const actor = `clock-${suffix}`;
    const base = { actor, role: 'admin', ip: '127.0.0.1', method: 'POST', action: 'POST /x', target: null, outcome: 'allowed' as const, status: 200, durationMs: 1, details: null };
    app.access.audit.record({ ...base, time: '2020-01-01T10:00:00.000Z', requestId: `${suffix}-ten` });
    app.access.audit.record({ ...base, time: '2020-01-01T12:00:00.000Z', requestId: `${suffix}-noon` });
    // An entry's time given with an offset is stored as the same instant in UTC.
    app.access.audit.record({ ...base, time: '2020-01-01T19:00:00.000+05:00', requestId: `${suffix}-two` });
    const ids = async (q: Record<string, string>) => {
      const res = await app.inject({ url: `/api/v1/audit?${new URLSearchParams({ actor, ...q })}` });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { entries: Row[] }).entries.map((e) => e.requestId.replace(`${suffix}-`, '')).sort();
    };
    // 16:00+05:00 is 11:00Z: only noon and two o'clock are after it.
    assert.deepEqual(await ids({ since: '2020-01-01T16:00:00+05:00' }), ['noon', 'two']);
    // 15:30+05:00 is 10:30Z: only ten o'clock is before it.
    assert.deepEqual(await ids({ until: '2020-01-01T15:30:00+05:00' }), ['ten']);
    assert.deepEqual(await ids({ since: '2020-01-01T06:30:00-05:00', until: '2020-01-01T07:30:00-05:00' }), ['noon'], '-05:00 too');
    assert.deepEqual(await ids({ since: '2020-01-01T14:00:00Z' }), ['two']);
    const all = (await app.inject({ url: `/api/v1/audit?actor=${actor}` })).json() as { entries: Row[] };
    assert.ok(all.entries.every((e) => e.time.endsWith('Z')), 'times are answered in UTC');
  });
});
