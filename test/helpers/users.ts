import assert from 'node:assert/strict';
import type { TestApp } from './app.js';

/** The password the security tests give their local users. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** Creates a local user through the API (as the test app's admin); returns its id. */
export async function createUser(
  app: TestApp,
  username: string,
  role: 'user' | 'developer' | 'admin' = 'developer',
  groups?: string[],
): Promise<number> {
  const payload = { username, password: TEST_PASSWORD, role, ...(groups ? { groups } : {}) };
  const res = await app.inject({ method: 'POST', url: '/api/v1/users', payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: number }>().id;
}

/** Logs a local user in (no admin token sent); returns its token. */
export async function login(app: TestApp, username: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: TEST_PASSWORD }, headers: { authorization: '' } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<{ token: string }>().token;
}
