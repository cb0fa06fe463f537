import { appError } from '../errors.js';
import { revocationKey, type Revocations } from './revocations.js';
import type { UserService } from './users.js';
import type { Role } from './permissions.js';
import { makePrincipal, type Principal } from './principal.js';
import type { TokenService, VerifiedToken } from './tokens.js';
import type { DbChanges } from '../storage/db-changes.js';

/** Tokens whose database verdict is kept at once; past it the cache starts over (a bound, not a rule). */
const VERDICTS = 1024;

type Verdict = { refused: string } | { role: Role; groups: string[] | undefined; engines: string[] | undefined };

/** A verdict with the token's revocation key (a SHA-256 of the text for a token without jti: worked out once, not per request). */
type Known = { verdict: Verdict; tokenId: string };

export interface AuthenticatorSettings {
  accessLevelsEnabled: boolean;
  roleGroups: Record<Role, string[]>;
  roleEngines: Record<Role, string[]>;
}

/**
 * Turns a presented token into a Principal: signature and claims (TokenService), not
 * revoked (by logout, by jti or else by the token's hash; nor its subject revoked since),
 * and for local users still the same user (id and random stamp) with the same token
 * version, whose current role and groups then apply. With access levels off every
 * authenticated caller is an admin.
 */
export class Authenticator {
  /**
   * Per token text, what the database said of it (issue 13: three lookups on every request).
   * Emptied whenever the database moved (DbChanges): a revocation, a disabled user or a new
   * role, written by this process or another, applies to the very next request.
   */
  private readonly verdicts = new Map<string, Known>();

  constructor(
    private readonly tokens: TokenService,
    private readonly users: UserService,
    private readonly revocations: Revocations,
    private readonly settings: AuthenticatorSettings,
    private readonly changes: Pick<DbChanges, 'moved'>,
  ) {}

  async authenticate(token: string, via: Principal['via']): Promise<Principal> {
    const t = await this.tokens.verify(token);
    // What the database says of this token, asked again only when the database moved.
    if (this.changes.moved()) this.verdicts.clear();
    let known = this.verdicts.get(token);
    if (!known) {
      const tokenId = revocationKey(token, t.jti);
      known = { verdict: this.lookUp(t, tokenId), tokenId };
      if (this.verdicts.size >= VERDICTS) this.verdicts.clear();
      this.verdicts.set(token, known);
    }
    const { verdict, tokenId } = known;
    if ('refused' in verdict) throw appError('UNAUTHORIZED', verdict.refused);
    let { role, groups, engines } = verdict;
    if (!this.settings.accessLevelsEnabled) {
      role = 'admin';
      groups = undefined;
      engines = undefined;
    }
    return makePrincipal({
      sub: t.sub,
      role,
      groups: groups ?? this.defaultGroups(role),
      // The token's engines, else the role's; an unknown role sees none (fail closed).
      engines: engines ?? (Object.hasOwn(this.settings.roleEngines, role) ? this.settings.roleEngines[role] : []),
      via,
      expiresAt: t.exp,
      ...(t.uid !== undefined ? { userId: t.uid } : {}),
      tokenId,
    });
  }

  /** Revoked (the token, its subject), and for a local user their current role and groups. */
  private lookUp(t: VerifiedToken, tokenId: string): Verdict {
    if (this.revocations.isRevoked(tokenId)) return { refused: 'The token was revoked (logged out)' };
    if (this.revocations.isSubjectRevoked(t.sub, t.iat)) return { refused: 'The tokens of this subject were revoked; get a new one' };
    if (t.uid === undefined) return { role: t.role, groups: t.groups, engines: t.engines };
    const state = this.users.tokenState(t.uid);
    // The stamp tells a re-created user (same id or same name) from the one the token was issued to.
    if (!state || t.stamp === undefined || state.tokenStamp !== t.stamp || state.tokenVersion !== t.ver) {
      return { refused: 'The token is no longer valid; log in again' };
    }
    // A local user's own engines, current like its groups; else its role's.
    return { role: state.user.role, groups: state.user.groups ?? undefined, engines: state.user.engines ?? undefined };
  }

  /** Own keys only; an unknown role has no groups (fail closed). */
  private defaultGroups(role: Role): string[] {
    return Object.hasOwn(this.settings.roleGroups, role) ? this.settings.roleGroups[role] : [];
  }
}
