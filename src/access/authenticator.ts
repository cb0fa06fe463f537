import { appError } from '../errors.js';
import { revocationKey, type Revocations } from './revocations.js';
import type { UserService } from './users.js';
import type { Role } from './permissions.js';
import { makePrincipal, type Principal } from './principal.js';
import type { TokenService } from './tokens.js';

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
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UserService,
    private readonly revocations: Revocations,
    private readonly settings: AuthenticatorSettings,
  ) {}

  async authenticate(token: string, via: Principal['via']): Promise<Principal> {
    const t = await this.tokens.verify(token);
    const tokenId = revocationKey(token, t.jti);
    if (this.revocations.isRevoked(tokenId)) throw appError('UNAUTHORIZED', 'The token was revoked (logged out)');
    if (this.revocations.isSubjectRevoked(t.sub, t.iat)) throw appError('UNAUTHORIZED', 'The tokens of this subject were revoked; get a new one');
    let role = t.role;
    let groups = t.groups;
    let engines = t.engines;
    if (t.uid !== undefined) {
      const state = this.users.tokenState(t.uid);
      // The stamp tells a re-created user (same id or same name) from the one the token was issued to.
      if (!state || t.stamp === undefined || state.tokenStamp !== t.stamp || state.tokenVersion !== t.ver) {
        throw appError('UNAUTHORIZED', 'The token is no longer valid; log in again');
      }
      role = state.user.role;
      groups = state.user.groups ?? undefined;
      // A local user's own engines, current like its groups; else its role's.
      engines = state.user.engines ?? undefined;
    }
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

  /** Own keys only; an unknown role has no groups (fail closed). */
  private defaultGroups(role: Role): string[] {
    return Object.hasOwn(this.settings.roleGroups, role) ? this.settings.roleGroups[role] : [];
  }
}
