import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';

const ADMIN_PASSWORD = 'the-admin-password-is-long';
/** TRUSTED_PROXIES=127.0.0.1: inject() comes from 127.0.0.1, so X-Forwarded-For is the client. */
const env = { ADMIN_PASSWORD, TRUSTED_PROXIES: '127.0.0.1', LOGIN_RATE_LIMIT_PER_MINUTE: '10' };

before(requireEngine);

async function login(app: TestApp, from: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password },
    headers: { authorization: '', 'x-forwarded-for': from },
  });
}

describe('login limits (issue 18.6)', () => {
  test('wrong passwords for admin from other addresses do not lock out the right one from a clean address', async (t) => {
    const app = await buildTestApp(t, env);
    const codes: number[] = [];
    // 12 failures over three attacker addresses: more than the budget of 10 for one name.
    for (let i = 0; i < 12; i++) codes.push((await login(app, `10.66.0.${1 + (i % 3)}`, `wrong-guess-${i}-long`)).statusCode);
    assert.deepEqual(codes.slice(0, 10), Array(10).fill(401), 'the first ten guesses are answered');
    assert.deepEqual(codes.slice(10), [429, 429], 'once the name is under attack, addresses that failed for it are refused');
    const right = await login(app, '10.66.0.99', ADMIN_PASSWORD);
    assert.equal(right.statusCode, 200, right.body);
    assert.ok((right.json() as { token: string }).token, 'the admin gets a token');
  });

  test('many addresses guessing one name are slowed to one guess each while it is under attack', async (t) => {
    const app = await buildTestApp(t, env);
    for (let i = 0; i < 10; i++) assert.equal((await login(app, `10.67.0.${i}`, `wrong-guess-${i}-long`)).statusCode, 401);
    // A fresh address has one guess; its second is refused, right password or not.
    assert.equal((await login(app, '10.67.1.1', 'another-wrong-guess')).statusCode, 401);
    const second = await login(app, '10.67.1.1', ADMIN_PASSWORD);
    assert.equal(second.statusCode, 429);
    assert.equal(second.json<ErrorBody>().error.code, 'RATE_LIMITED');
    assert.ok(Number(second.headers['retry-after']) > 0, 'Retry-After says when');
    assert.equal((await login(app, '10.67.0.3', 'yet-another-wrong-guess')).statusCode, 429, 'an address that failed before is refused too');
  });

  test('one address guessing passwords gets 429, even for the right password, and others are not affected', async (t) => {
    const app = await buildTestApp(t, env);
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await login(app, '10.68.0.1', `wrong-guess-${i}-long`)).statusCode);
    assert.deepEqual(codes, Array(10).fill(401));
    const limited = await login(app, '10.68.0.1', ADMIN_PASSWORD);
    assert.equal(limited.statusCode, 429, 'the budget of the address is spent');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await login(app, '10.68.0.2', ADMIN_PASSWORD)).statusCode, 200, 'another address logs in');
  });
});
