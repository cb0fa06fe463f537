import { randomUUID, webcrypto } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { appError } from '../errors.js';
import { LruCache } from '../lib/lru.js';
import { isRole, ROLES, type Role } from './permissions.js';

export interface TokenSettings {
  secret: string;
  audience?: string;
  issuer?: string;
  ttlSeconds: number;
  clockToleranceSeconds: number;
  /** Foreign role name → ours. Looked up by untrusted names: only own entries count. */
  roleMap: Readonly<Record<string, Role>> | ReadonlyMap<string, Role>;
}

export interface TokenClaims {
  sub: string;
  role: Role;
  groups?: string[];
  /** Engines the bearer may see (absent: the role's). */
  engines?: string[];
  /**
   * Local user id, token version and the user's random stamp: a role or password change
   * invalidates the token, and a deleted user's token never names a later user.
   */
  uid?: number;
  ver?: number;
  stamp?: string;
}

export interface VerifiedToken extends TokenClaims {
  jti?: string;
  exp: number;
  /** Issued at (unix seconds), when the token says. */
  iat?: number;
}

/** Only HS256: pinning the algorithm rules out `alg: none` and HS/RS confusion. */
const ALGORITHM = 'HS256';
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;

/**
 * Issues and checks bearer tokens the way the platform's services do (HS256 with
 * JWT_SECRET_KEY): `sub`, `role`, `exp`, optional `groups`, and `iss`/`aud` when configured.
 *
 * The key is a WebCrypto key imported once here (the secret is read once at start; a new
 * secret means a new app). Given the raw bytes, jose imports them again on every call; given
 * a node:crypto KeyObject, jose 6 on Node 20 exports it to bytes and imports those on every
 * call too. Only a CryptoKey is used as it is (bench/tokens.ts: about twice the verifies/s).
 */
export class TokenService {
  /** Set once the import below has finished; until then calls wait for `keyReady`. */
  private key: webcrypto.CryptoKey | undefined;
  private readonly keyReady: Promise<webcrypto.CryptoKey>;
  /** A Map, not an object: a role named `constructor` or `__proto__` must find nothing. */
  private readonly roleMap: ReadonlyMap<string, Role>;
  /** The same for every call: built once, read (never changed) by jose. */
  private readonly verifyOptions: JWTVerifyOptions;
  /**
   * Tokens whose signature and claims were checked, by their exact text: the same bytes give
   * the same verdict, so a client sending its token again skips the HMAC (an async WebCrypto
   * call). Time is checked again on every hit (exp, nbf); revocation and user state are not
   * cached here (the authenticator checks them on every request).
   */
  private readonly verified = new LruCache<string, { token: VerifiedToken; nbf: number | undefined }>(1024);

  constructor(private readonly settings: TokenSettings) {
    // Not extractable: nothing can read the secret back out of the key.
    this.keyReady = webcrypto.subtle.importKey('raw', new TextEncoder().encode(settings.secret), HMAC, false, ['sign', 'verify']);
    // A failed import (an empty secret) fails each sign/verify, which await keyReady: fail closed.
    this.keyReady.then(
      (key) => (this.key = key),
      () => undefined,
    );
    const entries = settings.roleMap instanceof Map ? [...settings.roleMap] : Object.entries(settings.roleMap);
    this.roleMap = new Map(entries.filter((e): e is [string, Role] => isRole(e[1])));
    this.verifyOptions = Object.freeze({
      algorithms: [ALGORITHM],
      ...(settings.audience ? { audience: settings.audience } : {}),
      ...(settings.issuer ? { issuer: settings.issuer } : {}),
      clockTolerance: settings.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub'],
    });
  }

  /** Signs a token; `ttlSeconds` defaults to JWT_TTL_SECONDS. */
  async sign(claims: TokenClaims, ttlSeconds = this.settings.ttlSeconds): Promise<{ token: string; expiresAt: number; jti: string }> {
    const jti = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { role: claims.role };
    if (claims.groups) payload['groups'] = claims.groups;
    if (claims.engines) payload['engines'] = claims.engines;
    if (claims.uid !== undefined) payload['uid'] = claims.uid;
    if (claims.ver !== undefined) payload['ver'] = claims.ver;
    if (claims.stamp !== undefined) payload['stamp'] = claims.stamp;
    let jwt = new SignJWT(payload).setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' }).setSubject(claims.sub).setIssuedAt(now).setJti(jti).setExpirationTime(now + ttlSeconds);
    if (this.settings.issuer) jwt = jwt.setIssuer(this.settings.issuer);
    if (this.settings.audience) jwt = jwt.setAudience(this.settings.audience);
    return { token: await jwt.sign(this.key ?? (await this.keyReady)), expiresAt: now + ttlSeconds, jti };
  }

  /** Verifies signature and claims; every failure is the same 401 for the caller. */
  async verify(token: string): Promise<VerifiedToken> {
    const hit = this.verified.get(token);
    if (hit) return this.stillValid(token, hit);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key ?? (await this.keyReady), this.verifyOptions));
    } catch (err) {
      const reason = err instanceof joseErrors.JWTExpired ? 'The token has expired' : 'The token is not valid';
      throw appError('UNAUTHORIZED', reason);
    }
    const role = this.mapRole(payload['role'], payload['roles']);
    if (!role) throw appError('UNAUTHORIZED', 'The token carries no role this service knows');
    const groups = payload['groups'];
    if (groups !== undefined && !isStringArray(groups)) throw appError('UNAUTHORIZED', 'The token is not valid');
    const engines = payload['engines'];
    // A malformed engine scope must not widen to the role's: refused like a bad groups claim.
    if (engines !== undefined && !isStringArray(engines)) throw appError('UNAUTHORIZED', 'The token is not valid');
    const uid = payload['uid'];
    const ver = payload['ver'];
    const stamp = payload['stamp'];
    // A malformed local-user claim must not quietly turn the token into a platform token.
    if (uid !== undefined && !(Number.isSafeInteger(uid) && (uid as number) > 0)) throw appError('UNAUTHORIZED', 'The token is not valid');
    // One object, filled in place (no spread of a temporary per optional claim).
    const verified: VerifiedToken = { sub: payload.sub as string, role, exp: payload.exp as number };
    if (payload.jti) verified.jti = payload.jti;
    if (groups) verified.groups = groups;
    if (engines) verified.engines = engines;
    if (typeof uid === 'number') verified.uid = uid;
    if (typeof ver === 'number') verified.ver = ver;
    if (typeof stamp === 'string') verified.stamp = stamp;
    if (typeof payload.iat === 'number') verified.iat = payload.iat;
    Object.freeze(verified);
    this.verified.set(token, { token: verified, nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined });
    return verified;
  }

  /** A cached verdict holds only while the token is inside its time window (same tolerance as jose's). */
  private stillValid(token: string, hit: { token: VerifiedToken; nbf: number | undefined }): VerifiedToken {
    const now = Math.floor(Date.now() / 1000);
    const tolerance = this.settings.clockToleranceSeconds;
    if (now - tolerance >= hit.token.exp) {
      this.verified.delete(token);
      throw appError('UNAUTHORIZED', 'The token has expired');
    }
    if (hit.nbf !== undefined && hit.nbf > now + tolerance) throw appError('UNAUTHORIZED', 'The token is not valid');
    return hit.token;
  }

  /** Our role for the token's role claim (or the strongest of a roles array), via ROLE_MAP. */
  private mapRole(role: unknown, roles: unknown): Role | undefined {
    let best = this.ourRole(role);
    if (!Array.isArray(roles)) return best;
    for (const r of roles) {
      const mapped = this.ourRole(r);
      if (mapped !== undefined && (best === undefined || ROLES.indexOf(mapped) > ROLES.indexOf(best))) best = mapped;
    }
    return best;
  }

  private ourRole(name: unknown): Role | undefined {
    if (typeof name !== 'string') return undefined;
    return isRole(name) ? name : this.roleMap.get(name);
  }
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}
