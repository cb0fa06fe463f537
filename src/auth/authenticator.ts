import { appError } from '../errors.js';
import type { Revocations } from '../services/revocations.js';
import type { UserService } from '../services/users.js';
import type { Role } from './permissions.js';
import { makePrincipal, type Principal } from './principal.js';
import type { TokenService } from './tokens.js';

export interface AuthenticatorSettings {
  accessLevelsEnabled: boolean;
  roleGroups: Record<Role, string[]>;
}

/**
 * Turns a presented token into a Principal: signature and claims (TokenService), not
 * revoked by logout, and for local users still matching their current role and token
 * version. With access levels off every authenticated caller is an admin.
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
    if (t.jti && this.revocations.isRevoked(t.jti)) throw appError('UNAUTHORIZED', 'The token was revoked (logged out)');
    let role = t.role;
    let groups = t.groups;
    if (t.uid !== undefined) {
      const state = this.users.tokenState(t.uid);
      if (!state || state.tokenVersion !== t.ver) throw appError('UNAUTHORIZED', 'The token is no longer valid; log in again');
      role = state.user.role;
      groups = state.user.groups ?? undefined;
    }
    if (!this.settings.accessLevelsEnabled) {
      role = 'admin';
      groups = undefined;
    }
    return makePrincipal({
      sub: t.sub,
      role,
      groups: groups ?? this.settings.roleGroups[role],
      via,
      expiresAt: t.exp,
      ...(t.uid !== undefined ? { userId: t.uid } : {}),
      ...(t.jti ? { tokenId: t.jti } : {}),
    });
  }
}
