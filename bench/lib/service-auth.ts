import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { HttpClient } from './http-client.js';

export interface BenchAdmin {
  username: string;
  password: string;
  /** What the service needs in its environment for this admin. */
  env: Record<string, string>;
}

/**
 * A throw-away admin for a bench service: a fresh DATA_DIR (so the first start creates the
 * admin from ADMIN_PASSWORD), a random JWT secret, the groups the admin may see, and the
 * general rate limit out of the way of the bench's own polling.
 */
export function benchAdmin(dataDir: string, groups: readonly string[]): BenchAdmin {
  const username = 'bench';
  const password = randomBytes(18).toString('hex');
  return {
    username,
    password,
    env: {
      DATA_DIR: dataDir,
      ADMIN_USERNAME: username,
      ADMIN_PASSWORD: password,
      JWT_SECRET_KEY: randomBytes(32).toString('hex'),
      ...(groups.length ? { ADMIN_SERVICES: groups.join(',') } : {}),
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
  };
}

/** Logs in with POST /api/v1/auth/login; returns a client that sends the token as a bearer header. */
export async function login(port: number, admin: BenchAdmin, timeoutMs: number): Promise<HttpClient> {
  const anonymous = new HttpClient({ host: '127.0.0.1', port });
  try {
    const { token } = await anonymous.json<{ token: string }>('POST', '/api/v1/auth/login', [200], { username: admin.username, password: admin.password });
    return new HttpClient({ host: '127.0.0.1', port }, timeoutMs, { authorization: `Bearer ${token}` });
  } finally {
    anonymous.close();
  }
}

/**
 * A developer's bearer token with `groups`, signed with the service's JWT secret as an
 * outside identity provider would: the service applies RBAC to it (only those groups'
 * containers), unlike the admin, who sees everything.
 */
export async function developerToken(admin: BenchAdmin, groups: readonly string[]): Promise<string> {
  const secret = new TextEncoder().encode(admin.env['JWT_SECRET_KEY'] ?? '');
  return new SignJWT({ role: 'developer', groups: [...groups] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench-developer')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(secret);
}
