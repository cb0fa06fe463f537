import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { appError } from '../errors.js';
import { EngineListSchema, GroupListSchema, PasswordSchema, RoleSchema, UsernameSchema } from './schemas.js';
import type { Role } from './permissions.js';

/**
 * The rules for user names, passwords, roles and groups, from the same TypeBox schemas the
 * API validates its bodies with. The user service applies them on every path (API, CLI,
 * first-run admin), so no path can store what the API would refuse.
 */
function check<T>(schema: TSchema, value: unknown, field: string, shown: boolean): T {
  if (Value.Check(schema, value)) return value as T;
  const what = value === undefined ? ' (none given)' : shown ? ` ${JSON.stringify(value)}` : '';
  const expected = (schema as { description?: string }).description ?? 'a valid value';
  throw appError('VALIDATION_ERROR', `Invalid ${field}${what}: expected ${expected}`);
}

export function checkUsername(value: unknown): string {
  return check<string>(UsernameSchema, value, 'user name', true);
}

/** The password itself is never repeated in the message. */
export function checkPassword(value: unknown): string {
  return check<string>(PasswordSchema, value, 'password', false);
}

export function checkRole(value: unknown): Role {
  return check<Role>(RoleSchema, value, 'role', true);
}

/** null means "the role's default groups". */
export function checkGroups(value: unknown): string[] | null {
  if (value === null) return null;
  return check<string[]>(GroupListSchema, value, 'groups', true);
}

/** null means "the role's default engines". */
export function checkEngines(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  return check<string[]>(EngineListSchema, value, 'engines', true);
}
