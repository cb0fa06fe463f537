import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Revocations } from '../../src/access/revocations.js';
import { UserService } from '../../src/access/users.js';
import { openDatabase } from '../../src/storage/database.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';
import { createUser, login, TEST_PASSWORD } from '../helpers/users.js';

/**
 * Issue 13 (hot path), item 2: the HS256 key is imported once, when the app starts, not on
 * every request; with the key kept, every check still applies on every request.
 */

const PASSWORD = TEST_PASSWORD;
const suffix = randomBytes(3).toString('hex');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const me = (app: TestApp, token: string) => app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });

before(requireEngine);

describe('hot path: token key made once', () => {
  test('authenticated requests import no key (jose imported the raw secret on every verify before)', async (t) => {
    const app = await buildTestApp(t, { JWT_SECRET_KEY: `hotpath-tokens-${suffix}-0123456789abcdef` });
    const token = await login(app, await createAdminLike(app, `kept-${suffix}`));
    assert.equal((await me(app, token)).statusCode, 200, 'warm: the key exists once the app is ready');
    // jose calls the global WebCrypto's importKey for a raw key (and for a KeyObject's exported bytes).
    const importKey = t.mock.method(crypto.subtle, 'importKey');
    for (let i = 0; i < 20; i++) assert.equal((await me(app, token)).statusCode, 200);
    assert.equal(importKey.mock.callCount(), 0, 'no key import per request');
  });

  test('a token whose user was disabled is refused at once, with the key kept', async (t) => {
    const app = await buildTestApp(t, { JWT_SECRET_KEY: `hotpath-tokens-${suffix}-0123456789abcdef` });
    const name = `dave-${suffix}`;
    const id = await createUser(app, name);
    const token = await login(app, name);
    await createUser(app, `dora-${suffix}`);
    const other = await login(app, `dora-${suffix}`);
    for (let i = 0; i < 3; i++) assert.equal((await me(app, token)).statusCode, 200);
    const patch = await app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { disabled: true } });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.equal((await me(app, token)).statusCode, 401, 'the very next request is refused');
    assert.equal((await app.inject({ url: '/api/v1/containers', headers: bearer(token) })).statusCode, 401);
    assert.equal((await me(app, other)).statusCode, 200, "another user's token still answers: the refusal is this user's");
  });

  test('a logged-out token is refused at once, with the key kept', async (t) => {
    const app = await buildTestApp(t, { JWT_SECRET_KEY: `hotpath-tokens-${suffix}-0123456789abcdef` });
    const name = `erin-${suffix}`;
    await createUser(app, name);
    const token = await login(app, name);
    assert.equal((await me(app, token)).statusCode, 200);
    const logout = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) });
    assert.ok(logout.statusCode < 300, logout.body);
    assert.equal((await me(app, token)).statusCode, 401);
  });

  test("another process's writes apply at once: a user disabled and a token revoked through a second connection (the user CLI, a replica)", async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gdm-hotpath-tokens-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const app = await buildTestApp(t, { JWT_SECRET_KEY: `hotpath-tokens-${suffix}-0123456789abcdef`, DATA_DIR: dataDir });
    const id = await createUser(app, `gina-${suffix}`);
    const token = await login(app, `gina-${suffix}`);
    const platform = await app.tokenFor('developer', { sub: `platform-${suffix}` });
    // Asked again and again: the database's verdict on each token is cached by now.
    for (let i = 0; i < 5; i++) {
      assert.equal((await me(app, token)).statusCode, 200);
      assert.equal((await me(app, platform)).statusCode, 200);
    }
    const other = openDatabase(dataDir);
    t.after(() => other.close());
    new UserService(other).update(id, { disabled: true });
    assert.equal((await me(app, token)).statusCode, 401, 'the very next request of the disabled user is refused');
    assert.equal((await me(app, platform)).statusCode, 200, 'a token the change does not concern still answers');
    new Revocations(other).revokeSubject(`platform-${suffix}`);
    assert.equal((await me(app, platform)).statusCode, 401, 'the very next request after the revocation is refused');
  });

  test('the secret is read once at start: an app with a new secret refuses the old tokens', async (t) => {
    const first = await buildTestApp(t, { JWT_SECRET_KEY: `hotpath-tokens-old-${suffix}-0123456789abcdef` });
    const name = `frank-${suffix}`;
    await createUser(first, name);
    const token = await login(first, name);
    assert.equal((await me(first, token)).statusCode, 200);
    const second = await buildTestApp(t, { JWT_SECRET_KEY: `hotpath-tokens-new-${suffix}-0123456789abcdef` });
    assert.equal((await me(second, token)).statusCode, 401, 'signed with the old secret');
    assert.equal((await me(first, token)).statusCode, 200, 'each app keeps its own key');
  });
});

/** A local admin user (its token goes through the local-user checks too); returns its name. */
async function createAdminLike(app: TestApp, username: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username, password: PASSWORD, role: 'admin' } });
  assert.equal(res.statusCode, 201, res.body);
  return username;
}
