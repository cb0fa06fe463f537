/** The permission types of the original design. */
export const PERMISSIONS = ['READ', 'EXECUTE', 'WRITE', 'DELETE'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['user', 'developer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The one permission table: what each role may do. Users and audit are admin-only too. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  user: ['READ'],
  developer: ['READ', 'EXECUTE'],
  admin: ['READ', 'EXECUTE', 'WRITE', 'DELETE'],
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  user: 'Sees status, details, logs and stats of the containers in its groups',
  developer: 'Also starts, stops and restarts the containers and groups of its groups',
  admin: 'Also runs compose up (WRITE) and down (DELETE), sees ungrouped containers and env values, manages users and reads the audit log',
};

/** What a route requires, declared in its config. Absent → the route is refused (fail closed). */
export type RouteAccess = { public: true } | { authenticated: true } | { permission: Permission } | { adminOnly: true };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * The permissions of a role; none for anything else. Own keys only: a role string that
 * slipped through as `constructor` or `__proto__` must find nothing, not Object's members.
 */
export function permissionsOf(role: string): readonly Permission[] {
  return Object.hasOwn(ROLE_PERMISSIONS, role) ? ROLE_PERMISSIONS[role as Role] : [];
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return permissionsOf(role).includes(permission);
}
