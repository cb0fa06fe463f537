import type { Role } from './permissions.js';
import { permissionsOf, type Permission } from './permissions.js';

/** Who is calling, after authentication: the only identity routes and services see. */
export interface Principal {
  sub: string;
  role: Role;
  permissions: readonly Permission[];
  /** Service groups whose containers this caller may see; `*` means every group. */
  groups: readonly string[];
  /** Admins (and `*` holders) also see containers that belong to no group. */
  seesUngrouped: boolean;
  /** Engines whose containers this caller may see; `*` means every engine. Others do not exist for it. */
  engines: readonly string[];
  /** Local user id for tokens issued by login; absent for platform or CLI tokens. */
  userId?: number;
  /** What revokes this one token: its jti, else a hash of the token (see access/revocations.ts). */
  tokenId: string;
  /** Unix seconds; open streams end when it passes. */
  expiresAt: number;
  via: 'bearer' | 'cookie' | 'system';
}

/**
 * Who a service call acts for. Always a principal: the service itself acts as SYSTEM_PRINCIPAL,
 * so a caller that forgets the viewer gets a type error, never full access.
 */
export type Viewer = Principal;


/** Anything with groups, such as a container view or a change; and the engine it is on, if any. */
export interface Grouped {
  groups: readonly string[];
  engine?: string;
}

/** Whether the caller may see this container (or change): not visible means "does not exist". Engine scope first, then groups. */
export function canSee(principal: Principal, item: Grouped): boolean {
  if (item.engine !== undefined && !canSeeEngine(principal, item.engine)) return false;
  if (item.groups.length === 0) return principal.seesUngrouped;
  return item.groups.some((g) => canSeeGroup(principal, g));
}

/** `*` in a group list: every group, and the containers that belong to none. */
export const ALL_GROUPS = '*';

/** Whether the caller may see an engine (and so anything on it); a hidden engine does not exist for it. */
export function canSeeEngine(principal: Pick<Principal, 'engines'>, engine: string): boolean {
  return principal.engines.includes(ALL_GROUPS) || principal.engines.includes(engine);
}

export function canSeeGroup(principal: Pick<Principal, 'groups'>, group: string): boolean {
  return principal.groups.includes(ALL_GROUPS) || principal.groups.includes(group);
}

/**
 * The item as the caller may see it: group names it may not see are left out of `groups`
 * (and of `group`, the primary one), so a container in a visible and a hidden group never
 * names the hidden one. Returns the item itself when nothing is hidden (no copy).
 */
export function withVisibleGroups<T extends Grouped & { group?: string | null; container?: Grouped & { group: string | null } }>(
  principal: Pick<Principal, 'groups'>,
  item: T,
): T {
  if (principal.groups.includes(ALL_GROUPS) || item.groups.every((g) => canSeeGroup(principal, g))) return item;
  const groups = item.groups.filter((g) => canSeeGroup(principal, g));
  const out: T = { ...item, groups };
  if ('group' in item) out.group = item.group && canSeeGroup(principal, item.group) ? item.group : (groups[0] ?? null);
  if (item.container) out.container = withVisibleGroups(principal, item.container);
  return out;
}

/** Admins always see ungrouped containers; other roles only with `*` in their groups. */
export function seesUngrouped(role: Role, groups: readonly string[]): boolean {
  return role === 'admin' || groups.includes(ALL_GROUPS);
}

/** The service acting on its own (group runs on behalf of no request, start-up, CLI checks). */
export const SYSTEM_PRINCIPAL: Principal = Object.freeze({
  sub: 'system',
  role: 'admin',
  permissions: permissionsOf('admin'),
  groups: Object.freeze([ALL_GROUPS]),
  seesUngrouped: true,
  engines: Object.freeze([ALL_GROUPS]),
  tokenId: 'system',
  expiresAt: Number.POSITIVE_INFINITY,
  via: 'system',
}) as Principal;

export function makePrincipal(fields: Omit<Principal, 'permissions' | 'seesUngrouped'>): Principal {
  return { ...fields, permissions: permissionsOf(fields.role), seesUngrouped: seesUngrouped(fields.role, fields.groups) };
}
