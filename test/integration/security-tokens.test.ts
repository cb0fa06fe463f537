import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';
import { createUser, login, TEST_PASSWORD } from '../helpers/users.js';

/** Security audit (issue 18): tokens must name one user for ever, and every token must be revocable. */

const SECRET = 'security-tokens-secret-0123456789abcdef';
const PASSWORD = TEST_PASSWORD;
const suffix = randomBytes(3).toString('hex');
const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A token signed with the service's secret by hand: the platform's services issue such (no jti, any role string). */
function platformToken(payload: Record<string, unknown>, secret = SECRET): string {
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function me(app: TestApp, token: string) {
  return app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
}

before(requireEngine);

describe('security audit: token identity (item 1)', () => {
  test("item 1: a deleted user's token does not come back with the next user's id and role", async (t) => {
    const app = await buildTestApp(t, { JWT_SECRET_KEY: SECRET });
    const bobId = await createUser(app, `bob-${suffix}`, 'user');
    const bobToken = await login(app, `bob-${suffix}`);
    assert.equal((await me(app, bobToken)).statusCode, 200);
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/users/${bobId}` })).statusCode, 200);
    assert.equal((await me(app, bobToken)).statusCode, 401, 'deleted: 401');

    const carolId = await createUser(app, `carol-${suffix}`, 'admin');
    const after = await me(app, bobToken);
    assert.equal(after.statusCode, 401, `bob's old token must not answer as carol: ${after.body}`);
    assert.notEqual(carolId, bobId, 'a freed id is never handed out again');
    const create = await app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(bobToken), payload: { username: `mallory-${suffix}`, password: PASSWORD, role: 'admin' } });
    assert.equal(create.statusCode, 401, 'and cannot create users');
    const users = (await app.inject({ url: '/api/v1/users' })).json<{ users: { username: string }[] }>().users;
    assert.ok(!users.some((u) => u.username === `mallory-${suffix}`), 'no user was created');
  });

  test('item 1 (same name): re-creating a deleted user under the same name does not revive the old token', async (t) => {
    const app = await buildTestApp(t, { JWT_SECRET_KEY: SECRET });
    const name = `bob-again-${suffix}`;
    const firstId = await createUser(app, name, 'user');
    const oldToken = await login(app, name);
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/users/${firstId}` })).statusCode, 200);
    await createUser(app, name, 'user');
    assert.equal((await me(app, oldToken)).statusCode, 401, 'the old token stays dead');
    // The new bob logs in normally.
    const fresh = await login(app, name);
    assert.equal((await me(app, fresh)).json<{ sub: string }>().sub, name);
  });

  test('item 1 (migration): a database of the first schema is upgraded at open; its old tokens and freed ids stay dead', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gdm-test-data-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    // The schema as released before the fix: INTEGER PRIMARY KEY without AUTOINCREMENT, no per-user stamp.
    const old = new Database(join(dataDir, 'gui-docker-manager.sqlite'));
    old.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE, password_hash TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('user', 'developer', 'admin')), groups_json TEXT, disabled INTEGER NOT NULL DEFAULT 0,
      token_version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE TABLE audit (id INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, role TEXT, ip TEXT NOT NULL, method TEXT NOT NULL,
      action TEXT NOT NULL, target TEXT, outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')), status INTEGER NOT NULL,
      duration_ms INTEGER NOT NULL, request_id TEXT NOT NULL);
      PRAGMA user_version = 1;`);
    const stamp = new Date().toISOString();
    const insert = old.prepare('INSERT INTO users (id, username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(1, 'admin', 'scrypt$x', 'admin', stamp, stamp);
    insert.run(5, `kept-${suffix}`, 'scrypt$x', 'developer', stamp, stamp);
    old.close();
    // A token issued by the old code to user 5 (uid + version, no stamp).
    const oldToken = platformToken({ sub: `kept-${suffix}`, role: 'developer', uid: 5, ver: 1, jti: 'old', iat: now(), exp: now() + 600 });

    const app = await buildTestApp(t, { JWT_SECRET_KEY: SECRET, DATA_DIR: dataDir });
    const users = (await app.inject({ url: '/api/v1/users' })).json<{ users: { id: number; username: string; role: string }[] }>().users;
    assert.deepEqual(
      users.map((u) => [u.id, u.username, u.role]),
      [
        [1, 'admin', 'admin'],
        [5, `kept-${suffix}`, 'developer'],
      ],
      'rows kept with their ids',
    );
    assert.equal((await me(app, oldToken)).statusCode, 401, 'a token without the per-user stamp is refused');
    // Delete 5 and create another: it must not get id 5.
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/users/5' })).statusCode, 200);
    assert.ok((await createUser(app, `next-${suffix}`, 'user')) > 5);
  });
});

describe('security audit: role names like object properties (item 9)', () => {
  test('item 9: a token whose role is constructor, __proto__, toString… is a 401, never a 500', async (t) => {
    const app = await buildTestApp(t, { JWT_SECRET_KEY: SECRET, ROLE_MAP: 'super_admin:admin' });
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];
    for (const role of names) {
      for (const claims of [{ role }, { roles: [role] }, { role: 'nobody', roles: [role, 'other'] }]) {
        const token = platformToken({ sub: `proto-${suffix}`, ...claims, groups: [role], exp: now() + 600 });
        const res = await me(app, token);
        assert.equal(res.statusCode, 401, `${JSON.stringify(claims)}: ${res.body}`);
        assert.equal(res.json<ErrorBody>().error.code, 'UNAUTHORIZED');
      }
    }
    // The map still works for the names it holds.
    const mapped = await me(app, platformToken({ sub: `mapped-${suffix}`, role: 'super_admin', exp: now() + 600 }));
    assert.equal(mapped.json<{ role: string }>().role, 'admin');
  });
});

describe('security audit: every accepted token is revocable (item 11)', () => {
  test('item 11: logout revokes a token without jti; admins revoke a user’s or a foreign subject’s tokens (audited, documented)', async (t) => {
    const app = await buildTestApp(t, { JWT_SECRET_KEY: SECRET });

    // A platform token without jti: logout must really revoke it.
    const noJti = platformToken({ sub: `platform-a-${suffix}`, role: 'user', iat: now(), exp: now() + 600 });
    assert.equal((await me(app, noJti)).statusCode, 200);
    const out = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(noJti) });
    assert.deepEqual(out.json(), { loggedOut: true });
    assert.equal((await me(app, noJti)).statusCode, 401, 'logged out means logged out');

    // Admin: revoke every token of a local user.
    const id = await createUser(app, `revokee-${suffix}`, 'developer');
    const [t1, t2] = [await login(app, `revokee-${suffix}`), await login(app, `revokee-${suffix}`)];
    const denied = await app.inject({ method: 'POST', url: `/api/v1/users/${id}/revoke-tokens`, headers: bearer(await app.tokenFor('developer')) });
    assert.equal(denied.statusCode, 403, 'admin only');
    assert.equal((await me(app, t1)).statusCode, 200);
    const revoked = await app.inject({ method: 'POST', url: `/api/v1/users/${id}/revoke-tokens` });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json<{ userId: number }>().userId, id);
    assert.deepEqual([(await me(app, t1)).statusCode, (await me(app, t2)).statusCode], [401, 401]);
    assert.equal((await me(app, await login(app, `revokee-${suffix}`))).statusCode, 200, 'a new login works');
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/users/999999/revoke-tokens' })).statusCode, 404);

    // Admin: revoke every token issued so far to a subject that is not a local user.
    const subject = `platform-ci|${suffix}`;
    const issuedAt = now();
    const [p1, p2] = [
      platformToken({ sub: subject, role: 'developer', iat: issuedAt, exp: now() + 600 }),
      platformToken({ sub: subject, role: 'user', exp: now() + 600 }), // no iat: cannot prove it is newer
    ];
    const other = platformToken({ sub: `platform-other-${suffix}`, role: 'user', iat: issuedAt, exp: now() + 600 });
    assert.equal((await me(app, p1)).statusCode, 200);
    const bySubject = await app.inject({ method: 'POST', url: `/api/v1/subjects/${encodeURIComponent(subject)}/revoke-tokens` });
    assert.equal(bySubject.statusCode, 200, bySubject.body);
    const { revokedBefore } = bySubject.json<{ subject: string; revokedBefore: number }>();
    assert.equal(bySubject.json<{ subject: string }>().subject, subject);
    assert.deepEqual([(await me(app, p1)).statusCode, (await me(app, p2)).statusCode], [401, 401]);
    assert.equal((await me(app, other)).statusCode, 200, 'other subjects are untouched');
    const newer = platformToken({ sub: subject, role: 'developer', iat: revokedBefore + 1, exp: now() + 600 });
    assert.equal((await me(app, newer)).statusCode, 200, 'tokens issued after the revocation work');
    const denied2 = await app.inject({ method: 'POST', url: `/api/v1/subjects/${encodeURIComponent(subject)}/revoke-tokens`, headers: bearer(await app.tokenFor('user')) });
    assert.equal(denied2.statusCode, 403);

    // Audited, and in the OpenAPI document.
    const { entries } = (await app.inject({ url: '/api/v1/audit?limit=100' })).json<{ entries: { action: string; target: string | null; outcome: string }[] }>();
    assert.ok(entries.some((e) => e.action === 'POST /api/v1/users/:userId/revoke-tokens' && e.target === String(id) && e.outcome === 'allowed'), JSON.stringify(entries));
    assert.ok(entries.some((e) => e.action === 'POST /api/v1/subjects/:subject/revoke-tokens' && e.target === subject && e.outcome === 'allowed'), JSON.stringify(entries));
    assert.ok(entries.some((e) => e.action.endsWith('/revoke-tokens') && e.outcome === 'denied'), 'refusals are audited too');
    const doc = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    assert.ok(doc.paths['/api/v1/users/{userId}/revoke-tokens']?.['post']);
    assert.ok(doc.paths['/api/v1/subjects/{subject}/revoke-tokens']?.['post']);
  });
});
