import { ALL_GROUPS } from '../access/principal.js';

/**
 * The groups no role's list reaches: nobody holding a role default (USER_SERVICES,
 * DEVELOPER_SERVICES, ADMIN_SERVICES) would ever see them. Usually a forgotten group in a
 * role list, as when a groups file adds a tier the defaults do not name.
 */
export function unreachableGroups(groups: readonly string[], roleGroups: Readonly<Record<string, readonly string[]>>): string[] {
  const lists = Object.values(roleGroups);
  if (lists.some((l) => l.includes(ALL_GROUPS))) return [];
  const reached = new Set(lists.flat());
  return groups.filter((g) => !reached.has(g));
}

/** Logs one warning at start naming every unreachable group; returns them. */
export function warnUnreachableGroups(
  log: { warn(message: string): void },
  groups: readonly string[],
  roleGroups: Readonly<Record<string, readonly string[]>>,
): string[] {
  const unreachable = unreachableGroups(groups, roleGroups);
  if (unreachable.length > 0) {
    const vars = Object.keys(roleGroups).map((r) => `${r.toUpperCase()}_SERVICES`).join(', ');
    log.warn(
      `Service groups in no role's list (${vars}): ${unreachable.join(', ')}. ` +
        'Only tokens or users whose own groups name them can see them; add them to a list, or use * for every group.',
    );
  }
  return unreachable;
}
