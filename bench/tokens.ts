/**
 * Micro-benchmark of bearer-token verification (issue 13): the old way (jose given the raw
 * secret as a Uint8Array, which it imports again as a WebCrypto key on every call), a
 * node:crypto KeyObject (jose 6 on Node 20 exports it back to bytes and imports those on
 * every call too: no gain), and TokenService as it is now (one CryptoKey imported at start).
 * Then the whole authentication of a local user's token (signature, revoked token, revoked
 * subject, user still enabled with the same version and stamp): before (raw key, the three
 * SQL statements compiled on every call) and after (Authenticator as it is now).
 * All in one run, interleaved rounds, so machine noise weighs on each side equally.
 *
 *   node --import tsx bench/tokens.ts [--n 20000] [--rounds 5]
 *
 * Prints ops/s per way (median of the rounds) and one `BENCH_JSON {...}` line.
 */
import { createSecretKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jwtVerify } from 'jose';
import { createAccessServices } from '../src/access/access-services.js';
import { revocationKey } from '../src/access/revocations.js';
import { TokenService } from '../src/access/tokens.js';
import { openDatabase } from '../src/storage/database.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' } } });
const N = Number(values.n);
const ROUNDS = Number(values.rounds);

const settings = {
  secret: 'bench-secret-bench-secret-bench-secret-0123456789',
  audience: 'platform',
  issuer: 'auth',
  ttlSeconds: 3600,
  clockToleranceSeconds: 30,
  roleMap: { owner: 'admin' as const },
};
const service = new TokenService(settings);
const { token } = await service.sign({ sub: 'bench', role: 'developer', groups: ['core'] });

/** What verify() did before: the options built per call and the raw bytes as the key. */
const rawBytes = new TextEncoder().encode(settings.secret);
const keyObject = createSecretKey(Buffer.from(settings.secret));
const cryptoKey = await crypto.subtle.importKey('raw', rawBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
const options = () => ({ algorithms: ['HS256'], audience: settings.audience, issuer: settings.issuer, clockTolerance: settings.clockToleranceSeconds, requiredClaims: ['exp', 'sub'] });

const dataDir = mkdtempSync(join(tmpdir(), 'gdm-bench-tokens-'));
const db = openDatabase(dataDir);
const access = createAccessServices(
  { auth: { ...settings, accessLevelsEnabled: true, roleGroups: { user: [], developer: [], admin: ['*'] } }, auditRetentionDays: 1 } as unknown as Parameters<typeof createAccessServices>[0],
  db,
  { secret: settings.secret, origin: 'environment' },
);
const user = await access.users.create({ username: 'bench', password: 'bench-password-0123456789', role: 'developer', groups: ['core'] });
const state = access.users.tokenState(user.id)!;
const local = (await access.tokens.sign({ sub: user.username, role: user.role, uid: user.id, ver: state.tokenVersion, stamp: state.tokenStamp })).token;

/** The authentication of before: raw key, and each SQL statement compiled on each call. */
async function authenticateBefore(presented: string): Promise<void> {
  const { payload } = await jwtVerify(presented, rawBytes, options());
  if (db.prepare('SELECT 1 FROM revoked_tokens WHERE jti = ?').get(revocationKey(presented, payload.jti))) throw new Error('revoked');
  if (db.prepare('SELECT revoked_before AS before FROM revoked_subjects WHERE subject = ?').get(payload.sub)) throw new Error('revoked');
  const row = db.prepare('SELECT * FROM users WHERE id = ?').get(payload['uid']) as { disabled: number; token_stamp: string } | undefined;
  if (!row || row.disabled === 1 || row.token_stamp !== payload['stamp']) throw new Error('no longer valid');
}

const ways: Record<string, () => Promise<unknown>> = {
  'before (Uint8Array key)': () => jwtVerify(token, rawBytes, options()),
  'KeyObject (createSecretKey)': () => jwtVerify(token, keyObject, options()),
  'CryptoKey (jwtVerify)': () => jwtVerify(token, cryptoKey, options()),
  'after (TokenService, CryptoKey once)': () => service.verify(token),
  'authenticate local user, before': () => authenticateBefore(local),
  'authenticate local user, after': () => access.authenticator.authenticate(local, 'bearer'),
};

async function round(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  // Sequential, as one request after another: the per-call cost, not the thread pool's width.
  for (let i = 0; i < N; i++) await fn();
  return N / ((performance.now() - started) / 1000);
}

const results: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
for (const fn of Object.values(ways)) await round(fn); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  const keys = Object.keys(ways);
  for (let j = 0; j < keys.length; j++) {
    const key = keys[(r + j) % keys.length] as string;
    results[key]!.push(await round(ways[key]!));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const summary = Object.fromEntries(Object.entries(results).map(([k, xs]) => [k, Math.round(median(xs))]));
for (const [k, ops] of Object.entries(summary)) {
  const base = (k.startsWith('authenticate') ? summary['authenticate local user, before'] : summary['before (Uint8Array key)']) ?? 1;
  console.log(`${k.padEnd(40)} ${String(ops).padStart(8)} ops/s  ×${(ops / base).toFixed(2)}`);
}
console.log(`BENCH_JSON ${JSON.stringify({ n: N, rounds: ROUNDS, opsPerSecond: summary })}`);
db.close();
rmSync(dataDir, { recursive: true, force: true });
