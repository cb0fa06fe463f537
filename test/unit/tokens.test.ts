import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { describe, test } from 'node:test';
import { TokenService } from '../../src/access/tokens.js';
import { AppError } from '../../src/errors.js';

const SECRET = 'unit-test-secret-0123456789abcdef';
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function hs256(header: object, payload: object, secret = SECRET): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function service(extra: Partial<ConstructorParameters<typeof TokenService>[0]> = {}) {
  return new TokenService({ secret: SECRET, ttlSeconds: 3600, clockToleranceSeconds: 30, roleMap: { super_admin: 'admin', node_operator: 'developer', USER: 'user' }, ...extra });
}

async function rejected(tokens: TokenService, token: string, message?: RegExp): Promise<void> {
  await assert.rejects(tokens.verify(token), (err: unknown) => err instanceof AppError && err.code === 'UNAUTHORIZED' && err.status === 401 && (!message || message.test(err.message)));
}

describe('JWT verification (attack suite)', () => {
  const valid = { sub: 'alice', role: 'developer', exp: now() + 600 };

  test('a well-formed HS256 token passes and keeps its claims', async () => {
    const t = await service().verify(hs256({ alg: 'HS256', typ: 'JWT' }, { ...valid, groups: ['core'] }));
    assert.deepEqual([t.sub, t.role, t.groups], ['alice', 'developer', ['core']]);
  });

  test('alg none is refused', async () => {
    await rejected(service(), `${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid)}.`);
    await rejected(service(), `${b64({ alg: 'none' })}.${b64(valid)}.${createHmac('sha256', SECRET).update('x').digest('base64url')}`);
  });

  test('HS/RS confusion: an RS256 token, or HS256 signed with a public key, is refused', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(valid)}`;
    await rejected(service(), `${body}.${rsaSign('sha256', Buffer.from(body), privateKey).toString('base64url')}`);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await rejected(service(), hs256({ alg: 'HS256' }, valid, pem));
    await rejected(service(), hs256({ alg: 'HS512' }, valid));
  });

  test('a bad signature or a tampered payload is refused', async () => {
    await rejected(service(), hs256({ alg: 'HS256' }, valid, 'another-secret-0123456789abcdef'));
    const good = hs256({ alg: 'HS256' }, valid);
    const [h, , s] = good.split('.');
    await rejected(service(), `${h}.${b64({ ...valid, role: 'admin' })}.${s}`);
    await rejected(service(), `${good.slice(0, -2)}xx`);
    await rejected(service(), 'not.a.jwt');
    await rejected(service(), '');
  });

  test('a missing or expired exp is refused; expiry says so', async () => {
    await rejected(service(), hs256({ alg: 'HS256' }, { sub: 'alice', role: 'user' }));
    await rejected(service(), hs256({ alg: 'HS256' }, { ...valid, exp: now() - 120 }), /expired/);
    // Within the clock tolerance (30 s) a just-expired token still passes.
    await service().verify(hs256({ alg: 'HS256' }, { ...valid, exp: now() - 5 }));
  });

  test('nbf in the future beyond the tolerance is refused, within it accepted', async () => {
    await rejected(service(), hs256({ alg: 'HS256' }, { ...valid, nbf: now() + 300 }));
    await service().verify(hs256({ alg: 'HS256' }, { ...valid, nbf: now() + 10 }));
  });

  test('unknown roles are refused; ROLE_MAP translates platform roles; the strongest of a roles array wins', async () => {
    await rejected(service(), hs256({ alg: 'HS256' }, { ...valid, role: 'god' }), /no role/);
    await rejected(service(), hs256({ alg: 'HS256' }, { sub: 'x', exp: now() + 60 }), /no role/);
    assert.equal((await service().verify(hs256({ alg: 'HS256' }, { ...valid, role: 'super_admin' }))).role, 'admin');
    assert.equal((await service().verify(hs256({ alg: 'HS256' }, { ...valid, role: 'node_operator' }))).role, 'developer');
    assert.equal((await service().verify(hs256({ alg: 'HS256' }, { ...valid, role: 'USER' }))).role, 'user');
    assert.equal((await service().verify(hs256({ alg: 'HS256' }, { sub: 'x', exp: now() + 60, roles: ['USER', 'node_operator', 'junk'] }))).role, 'developer');
  });

  test('audience and issuer are checked when configured', async () => {
    const strict = service({ audience: 'gui_docker_manager', issuer: 'lucid-auth' });
    await strict.verify(hs256({ alg: 'HS256' }, { ...valid, aud: 'gui_docker_manager', iss: 'lucid-auth' }));
    await rejected(strict, hs256({ alg: 'HS256' }, { ...valid, aud: 'other', iss: 'lucid-auth' }));
    await rejected(strict, hs256({ alg: 'HS256' }, { ...valid, aud: 'gui_docker_manager' }));
    await rejected(strict, hs256({ alg: 'HS256' }, valid));
  });

  test('groups must be a list of strings; a missing sub is refused', async () => {
    await rejected(service(), hs256({ alg: 'HS256' }, { ...valid, groups: 'core' }));
    await rejected(service(), hs256({ alg: 'HS256' }, { ...valid, groups: [1] }));
    await rejected(service(), hs256({ alg: 'HS256' }, { role: 'user', exp: now() + 60 }));
  });

  test('tokens we sign round-trip with iss/aud, jti and the ttl asked for', async () => {
    const s = service({ audience: 'gui_docker_manager', issuer: 'gdm' });
    const { token, expiresAt, jti } = await s.sign({ sub: 'bot', role: 'user', groups: ['core'] }, 120);
    const t = await s.verify(token);
    assert.equal(t.jti, jti);
    assert.equal(t.exp, expiresAt);
    assert.ok(Math.abs(expiresAt - now() - 120) <= 1);
    assert.deepEqual(t.groups, ['core']);
  });
});

describe('verified-token cache', () => {
  test('a token verified once still expires at exp (time is checked on every hit), and a changed text is verified anew', async (t) => {
    const tokens = service({ clockToleranceSeconds: 0 });
    const exp = now() + 60;
    const token = hs256({ alg: 'HS256', typ: 'JWT' }, { sub: 'alice', role: 'developer', exp });
    assert.equal((await tokens.verify(token)).sub, 'alice');
    assert.equal((await tokens.verify(token)).sub, 'alice', 'a hit while valid');
    // A forged signature on the same claims is not served from the cache of the real one.
    await rejected(tokens, `${token.slice(0, token.lastIndexOf('.'))}.${createHmac('sha256', 'another-secret').update('x').digest('base64url')}`);
    t.mock.timers.enable({ apis: ['Date'], now: (exp + 1) * 1000 });
    await rejected(tokens, token, /expired/);
  });

  test('a cached token with a future nbf is refused until then', async (t) => {
    const tokens = service({ clockToleranceSeconds: 0 });
    const start = now();
    const token = hs256({ alg: 'HS256', typ: 'JWT' }, { sub: 'bob', role: 'user', exp: start + 600, nbf: start - 1 });
    assert.equal((await tokens.verify(token)).sub, 'bob');
    t.mock.timers.enable({ apis: ['Date'], now: (start - 100) * 1000 });
    await rejected(tokens, token);
  });
});
