import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { Fixture, inspectState, requireEngine } from '../helpers/docker-cli.js';

const fixture = new Fixture();
let target: { id: string; name: string };
const suffix = randomBytes(3).toString('hex');
const PASSWORD = 'correct horse battery staple';

before(async () => {
  await requireEngine();
  target = await fixture.run({ labels: { 'gdm.group': 'core' }, stopSignalFast: true });
});
after(() => fixture.cleanup());

async function createUser(app: TestApp, username: string, role: string, groups?: string[]): Promise<number> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username, password: PASSWORD, role, ...(groups ? { groups } : {}) } });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { id: number }).id;
}

async function login(app: TestApp, username: string, password = PASSWORD, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { authorization: '', ...headers } });
}

describe('login, sessions and users', () => {
  test('login returns a token and an httpOnly SameSite=Strict cookie; me describes the caller; logout revokes', async (t) => {
    const app = await buildTestApp(t);
    await createUser(app, `dev-${suffix}`, 'developer');
    assert.equal((await login(app, `dev-${suffix}`, 'wrong password!!')).statusCode, 401);
    assert.equal((await login(app, `nobody-${suffix}`)).json<ErrorBody>().error.code, 'INVALID_CREDENTIALS');
    const res = await login(app, `dev-${suffix}`);
    assert.equal(res.statusCode, 200);
    const body = res.json() as { token: string; identity: { role: string; permissions: string[]; groups: string[] } };
    assert.equal(body.identity.role, 'developer');
    assert.deepEqual(body.identity.permissions, ['READ', 'EXECUTE']);
    assert.deepEqual(body.identity.groups, ['foundation', 'core', 'application']);
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /^gdm_session=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const me = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.token}` } });
    assert.equal((me.json() as { sub: string }).sub, `dev-${suffix}`);
    const viaCookie = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: '', cookie: `gdm_session=${body.token}` } });
    assert.equal(viaCookie.statusCode, 200);
    const out = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${body.token}` } });
    assert.equal(out.statusCode, 200);
    assert.match(String(out.headers['set-cookie']), /gdm_session=;/);
    assert.equal((await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.token}` } })).statusCode, 401);
  });

  test('cookie-authenticated changes must come from an allowed origin', async (t) => {
    const app = await buildTestApp(t, { CORS_ORIGINS: 'https://gui.example.org' });
    await createUser(app, `csrf-${suffix}`, 'developer');
    const token = (await login(app, `csrf-${suffix}`)).json<{ token: string }>().token;
    const cookie = `gdm_session=${token}`;
    const before = await inspectState(target.name);
    for (const origin of [undefined, 'https://evil.example.com']) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/containers/${target.name}/restart?timeout=1`, headers: { authorization: '', cookie, ...(origin ? { origin } : {}) } });
      assert.equal(res.statusCode, 403, `origin ${origin}`);
      assert.equal(res.json<ErrorBody>().error.code, 'ORIGIN_REJECTED');
    }
    assert.deepEqual(await inspectState(target.name), before, 'nothing happened');
    const own = await app.inject({ method: 'POST', url: `/api/v1/containers/${target.name}/restart?timeout=1`, headers: { authorization: '', cookie, origin: 'http://localhost:80' } });
    assert.equal(own.statusCode, 200, own.body);
    const allowed = await app.inject({ method: 'POST', url: `/api/v1/containers/${target.name}/restart?timeout=1`, headers: { authorization: '', cookie, origin: 'https://gui.example.org' } });
    assert.equal(allowed.statusCode, 200);
    // A bearer token is not sent by browsers on their own: no origin needed.
    const bearer = await app.inject({ method: 'POST', url: `/api/v1/containers/${target.name}/restart?timeout=1`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(bearer.statusCode, 200);
  });

  test("a token stops working when its user's role, password or state changes, or the user is deleted", async (t) => {
    const app = await buildTestApp(t);
    for (const change of ['role', 'password', 'disable', 'delete'] as const) {
      const id = await createUser(app, `inv-${change}-${suffix}`, 'developer');
      const token = (await login(app, `inv-${change}-${suffix}`)).json<{ token: string }>().token;
      const headers = { authorization: `Bearer ${token}` };
      assert.equal((await app.inject({ url: '/api/v1/auth/me', headers })).statusCode, 200);
      if (change === 'role') await app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { role: 'user' } });
      if (change === 'password') await app.inject({ method: 'POST', url: `/api/v1/users/${id}/password`, payload: { password: 'another long password' } });
      if (change === 'disable') await app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { disabled: true } });
      if (change === 'delete') await app.inject({ method: 'DELETE', url: `/api/v1/users/${id}` });
      const res = await app.inject({ url: '/api/v1/auth/me', headers });
      assert.equal(res.statusCode, 401, `after ${change}`);
    }
  });

  test('users: create, list, change, duplicate 409, bad input 400, last admin protected', async (t) => {
    const app = await buildTestApp(t);
    const id = await createUser(app, `ops-${suffix}`, 'user', ['core']);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: `ops-${suffix}`, password: PASSWORD, role: 'user' } })).statusCode, 409);
    for (const payload of [
      { username: 'x', password: 'short', role: 'user' },
      { username: 'bad name', password: PASSWORD, role: 'user' },
      { username: 'ok', password: PASSWORD, role: 'root' },
      { username: 'ok', password: PASSWORD, role: 'user', isAdmin: true },
    ]) {
      assert.equal((await app.inject({ method: 'POST', url: '/api/v1/users', payload })).statusCode, 400, JSON.stringify(payload));
    }
    const changed = (await app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { groups: ['core', 'support'] } })).json() as { groups: string[] };
    assert.deepEqual(changed.groups, ['core', 'support']);
    const list = (await app.inject({ url: '/api/v1/users' })).json() as { users: { username: string; role: string; disabled: boolean }[] };
    assert.ok(list.users.some((u) => u.username === `ops-${suffix}`));
    assert.ok(!JSON.stringify(list).includes('scrypt'), 'no password hashes leave the service');
    const admins = list.users.filter((u) => u.role === 'admin' && !u.disabled);
    if (admins.length === 1) {
      const adminId = (list.users.find((u) => u.role === 'admin') as unknown as { id: number }).id;
      const res = await app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, payload: { role: 'user' } });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json<ErrorBody>().error.code, 'LAST_ADMIN');
    }
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/users/999999' })).statusCode, 404);
  });
});

describe('rate limits', () => {
  test('login brute force hits 429 with Retry-After, per address and per user name', async (t) => {
    const app = await buildTestApp(t, { LOGIN_RATE_LIMIT_PER_MINUTE: '5' });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await login(app, `victim-${suffix}`, `guess-${i}-long-enough`)).statusCode);
    assert.deepEqual(codes.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(codes[5], 429);
    const limited = await login(app, `victim-${suffix}`, 'guess');
    assert.equal(limited.json<ErrorBody>().error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when');
  });

  test('a forged X-Forwarded-For does not escape the limit without a trusted proxy', async (t) => {
    const app = await buildTestApp(t, { LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push((await login(app, `spoof-${i}-${suffix}`, 'guess-long-enough', { 'x-forwarded-for': `10.0.0.${i}` })).statusCode);
    }
    assert.deepEqual(codes, [401, 401, 401, 429, 429]);
  });

  test('with a trusted proxy its X-Forwarded-For counts, but a name under attack gives each address one guess', async (t) => {
    const app = await buildTestApp(t, { LOGIN_RATE_LIMIT_PER_MINUTE: '3', TRUSTED_PROXIES: '127.0.0.1' });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push((await login(app, `target-${suffix}`, 'guess-long-enough', { 'x-forwarded-for': `10.1.0.${i}` })).statusCode);
    }
    assert.deepEqual(codes, [401, 401, 401, 401, 401], 'each address has its own budget');
    const again = [];
    for (let i = 0; i < 5; i++) {
      again.push((await login(app, `target-${suffix}`, 'guess-long-enough', { 'x-forwarded-for': `10.1.0.${i}` })).statusCode);
    }
    assert.deepEqual(again, [429, 429, 429, 429, 429], 'spreading over addresses buys one guess per address, not a budget each');
  });

  test('the API limit is per subject', async (t) => {
    const app = await buildTestApp(t, { RATE_LIMIT_PER_MINUTE: '4' });
    const a = { authorization: `Bearer ${await app.tokenFor('user', { sub: `a-${suffix}` })}` };
    const b = { authorization: `Bearer ${await app.tokenFor('user', { sub: `b-${suffix}` })}` };
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ url: '/api/v1/services', headers: a })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 429]);
    assert.equal((await app.inject({ url: '/api/v1/services', headers: b })).statusCode, 200, 'another subject has its own budget');
    assert.equal((await app.inject({ url: '/ready', headers: a })).statusCode, 200, 'probes are not limited');
  });
});

describe('audit log', () => {
  test('every mutating request — allowed, denied, failed — is logged with actor, role, outcome and request id', async (t) => {
    const app = await buildTestApp(t);
    const userToken = await app.tokenFor('user', { sub: `auditee-${suffix}` });
    const devToken = await app.tokenFor('developer', { sub: `auditee-dev-${suffix}` });
    const allowed = await app.inject({ method: 'POST', url: `/api/v1/containers/${target.name}/restart?timeout=1`, headers: { authorization: `Bearer ${devToken}` } });
    const denied = await app.inject({ method: 'POST', url: `/api/v1/containers/${target.name}/stop`, headers: { authorization: `Bearer ${userToken}` } });
    const failed = await app.inject({ method: 'POST', url: '/api/v1/containers/gdm-no-such-thing/stop', headers: { authorization: `Bearer ${devToken}` } });
    const anonymous = await app.inject({ method: 'POST', url: `/api/v1/containers/${target.name}/stop`, headers: { authorization: '' } });
    await app.inject({ url: '/api/v1/containers' });
    assert.deepEqual([allowed.statusCode, denied.statusCode, failed.statusCode, anonymous.statusCode], [200, 403, 404, 401]);
    const { entries } = (await app.inject({ url: '/api/v1/audit?limit=50' })).json() as {
      entries: { actor: string; role: string | null; outcome: string; status: number; action: string; target: string | null; requestId: string; ip: string; durationMs: number }[];
    };
    const byRequest = new Map(entries.map((e) => [e.requestId, e]));
    const row = (res: { headers: Record<string, unknown> }) => byRequest.get(String(res.headers['x-request-id']));
    assert.deepEqual(
      [row(allowed), row(denied), row(failed), row(anonymous)].map((e) => e && [e.actor, e.role, e.outcome, e.status]),
      [
        [`auditee-dev-${suffix}`, 'developer', 'allowed', 200],
        [`auditee-${suffix}`, 'user', 'denied', 403],
        [`auditee-dev-${suffix}`, 'developer', 'failed', 404],
        ['-', null, 'denied', 401],
      ],
    );
    assert.equal(row(allowed)?.action, 'POST /api/v1/containers/:id/restart');
    assert.equal(row(allowed)?.target, target.name);
    assert.ok(row(allowed)!.durationMs >= 0 && row(allowed)!.ip.length > 0);
    assert.ok(!entries.some((e) => e.action.startsWith('GET')), 'reads are not audited');
    const filtered = (await app.inject({ url: `/api/v1/audit?actor=auditee-${suffix}&outcome=denied` })).json() as { entries: unknown[] };
    assert.equal(filtered.entries.length, 1);
    const page = (await app.inject({ url: '/api/v1/audit?limit=2' })).json() as { entries: { id: number }[]; nextBefore: number };
    const next = (await app.inject({ url: `/api/v1/audit?limit=2&before=${page.nextBefore}` })).json() as { entries: { id: number }[] };
    assert.ok(next.entries.every((e) => e.id < page.nextBefore));
  });

  test('failed logins are audited under the name tried', async (t) => {
    const app = await buildTestApp(t);
    const res = await login(app, `ghost-${suffix}`, 'nope-nope-nope');
    const { entries } = (await app.inject({ url: `/api/v1/audit?actor=ghost-${suffix}` })).json() as { entries: { outcome: string; requestId: string }[] };
    assert.equal(entries[0]?.outcome, 'denied');
    assert.equal(entries[0]?.requestId, res.headers['x-request-id']);
  });
});

describe('hardening', () => {
  test("the security headers (helmet's set, written down once) on every answer: allowed, refused, unknown", async (t) => {
    const app = await buildTestApp(t, { HOST: '127.0.0.1' });
    const expected = {
      'content-security-policy':
        "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';object-src 'none';base-uri 'none';frame-ancestors 'none';form-action 'self'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    const answers = [
      await app.inject({ url: '/api/v1/containers' }),
      await app.inject({ url: '/api/v1/containers', headers: { authorization: '' } }),
      await app.inject({ url: '/api/v1/no-such-route' }),
      await app.inject({ url: '/api/v1/containers', headers: { host: 'evil.example' } }),
    ];
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [200, 401, 404, 421],
    );
    for (const res of answers) {
      for (const [name, value] of Object.entries(expected)) assert.equal(res.headers[name], value, `${res.statusCode}: ${name}`);
    }
  });

  test('security headers with a strict CSP; bodies over the limit are 413', async (t) => {
    const app = await buildTestApp(t);
    const res = await app.inject({ url: '/' });
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const big = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: 'x', password: 'p'.repeat(100_000), role: 'user' } });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json<ErrorBody>().error.code, 'PAYLOAD_TOO_LARGE');
  });
});
