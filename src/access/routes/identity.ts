import type { Principal } from '../principal.js';

/** The identity a caller may see of itself (no token id). */
export function identityOf(p: Principal) {
  return {
    sub: p.sub,
    role: p.role,
    permissions: [...p.permissions],
    groups: [...p.groups],
    seesUngrouped: p.seesUngrouped,
    engines: [...p.engines],
    ...(p.userId !== undefined ? { userId: p.userId } : {}),
    ...(p.expiresAt !== undefined ? { expiresAt: p.expiresAt } : {}),
  };
}
