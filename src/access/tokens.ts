import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { appError } from '../errors.js';
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

/**
 * Issues and checks bearer tokens the way the platform's services do (HS256 with
 * JWT_SECRET_KEY): `sub`, `role`, `exp`, optional `groups`, and `iss`/`aud` when configured.
 */
export class TokenService {
  private readonly key: Uint8Array;
  /** A Map, not an object: a role named `constructor` or `__proto__` must find nothing. */
  private readonly roleMap: ReadonlyMap<string, Role>;

  constructor(private readonly settings: TokenSettings) {
    this.key = new TextEncoder().encode(settings.secret);
    const entries = settings.roleMap instanceof Map ? [...settings.roleMap] : Object.entries(settings.roleMap);
    this.roleMap = new Map(entries.filter((e): e is [string, Role] => isRole(e[1])));
  }

  /** Signs a token; `ttlSeconds` defaults to JWT_TTL_SECONDS. */
  async sign(claims: TokenClaims, ttlSeconds = this.settings.ttlSeconds): Promise<{ token: string; expiresAt: number; jti: string }> {
    const jti = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { role: claims.role };
    if (claims.groups) payload['groups'] = claims.groups;
    if (claims.uid !== undefined) payload['uid'] = claims.uid;
    if (claims.ver !== undefined) payload['ver'] = claims.ver;
    if (claims.stamp !== undefined) payload['stamp'] = claims.stamp;
    let jwt = new SignJWT(payload).setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' }).setSubject(claims.sub).setIssuedAt(now).setJti(jti).setExpirationTime(now + ttlSeconds);
    if (this.settings.issuer) jwt = jwt.setIssuer(this.settings.issuer);
    if (this.settings.audience) jwt = jwt.setAudience(this.settings.audience);
    return { token: await jwt.sign(this.key), expiresAt: now + ttlSeconds, jti };
  }

  /** Verifies signature and claims; every failure is the same 401 for the caller. */
  async verify(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        audience: this.settings.audience,
        issuer: this.settings.issuer,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      const reason = err instanceof joseErrors.JWTExpired ? 'The token has expired' : 'The token is not valid';
      throw appError('UNAUTHORIZED', reason);
    }
    const role = this.mapRole(payload['role'], payload['roles']);
    if (!role) throw appError('UNAUTHORIZED', 'The token carries no role this service knows');
    const groups = payload['groups'];
    if (groups !== undefined && (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string'))) {
      throw appError('UNAUTHORIZED', 'The token is not valid');
    }
    const uid = payload['uid'];
    const ver = payload['ver'];
    const stamp = payload['stamp'];
    // A malformed local-user claim must not quietly turn the token into a platform token.
    if (uid !== undefined && !(Number.isSafeInteger(uid) && (uid as number) > 0)) throw appError('UNAUTHORIZED', 'The token is not valid');
    return {
      sub: payload.sub as string,
      role,
      exp: payload.exp as number,
      ...(payload.jti ? { jti: payload.jti } : {}),
      ...(groups ? { groups: groups as string[] } : {}),
      ...(typeof uid === 'number' ? { uid } : {}),
      ...(typeof ver === 'number' ? { ver } : {}),
      ...(typeof stamp === 'string' ? { stamp } : {}),
      ...(typeof payload.iat === 'number' ? { iat: payload.iat } : {}),
    };
  }

  /** Our role for the token's role claim (or the strongest of a roles array), via ROLE_MAP. */
  private mapRole(role: unknown, roles: unknown): Role | undefined {
    const candidates = [role, ...(Array.isArray(roles) ? roles : [])].filter((r): r is string => typeof r === 'string');
    const mapped = candidates.map((r) => (isRole(r) ? r : this.roleMap.get(r))).filter((r): r is Role => r !== undefined);
    if (mapped.length === 0) return undefined;
    return mapped.reduce((best, r) => (ROLES.indexOf(r) > ROLES.indexOf(best) ? r : best));
  }
}
