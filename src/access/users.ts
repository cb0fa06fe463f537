import { EventEmitter } from 'node:events';
import { hashPassword, verifyPassword, generatePassword } from './passwords.js';
import type { Role } from './permissions.js';
import { checkEngines, checkGroups, checkPassword, checkRole, checkUsername } from './user-rules.js';
import { appError } from '../errors.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../storage/database.js';
import { newTokenStamp } from '../storage/identity-schema.js';
import type { User } from './schemas.js';

export type { User };

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  groups_json: string | null;
  engines_json: string | null;
  disabled: number;
  token_version: number;
  token_stamp: string;
  created_at: string;
  updated_at: string;
}

export interface UserChanges {
  role?: Role;
  groups?: string[] | null;
  engines?: string[] | null;
  disabled?: boolean;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    groups: row.groups_json ? (JSON.parse(row.groups_json) as string[]) : null,
    engines: row.engines_json ? (JSON.parse(row.engines_json) as string[]) : null,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A hash to check against when the user does not exist, so timing does not tell. */
let dummyHash: Promise<string> | undefined;

/** What a token of a local user must match: same user (stamp), same token version. */
export interface TokenIdentity {
  id: number;
  tokenVersion: number;
  tokenStamp: string;
}

interface UserEvents {
  /** A user's role, groups, password or state changed, their tokens were revoked, or they were deleted. */
  changed: [userId: number];
}

/**
 * Local users in SQLite. Changing a user's role, groups, password or state, or deleting
 * them, bumps their token version: tokens issued before stop working at once, and
 * `changed` tells whoever holds something open for them (streams). Ids are never reused
 * and each user has a random token stamp, so a token names one user for ever.
 * Every input passes the same rules as the API's (src/access/user-rules.ts).
 */
export class UserService extends EventEmitter<UserEvents> {
  /** Asked on every request with a local user's token: compiled once (better-sqlite3 compiles on each prepare). */
  private readonly userById: Statement<[number], UserRow>;

  constructor(private readonly db: Db) {
    super();
    this.setMaxListeners(0);
    this.userById = db.prepare('SELECT * FROM users WHERE id = ?');
  }

  /** Creates the first admin when there is no user; returns the password if it generated one. */
  async bootstrap(username: string, password?: string): Promise<{ created: boolean; generatedPassword?: string }> {
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
    if (count > 0) return { created: false };
    const secret = password ?? generatePassword();
    await this.create({ username, password: secret, role: 'admin', groups: null });
    return password ? { created: true } : { created: true, generatedPassword: secret };
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  get(id: number): User {
    return toUser(this.row(id));
  }

  async create(input: { username: string; password: string; role: Role; groups: string[] | null; engines?: string[] | null }): Promise<User> {
    const username = checkUsername(input.username);
    const role = checkRole(input.role);
    const groups = checkGroups(input.groups);
    const engines = checkEngines(input.engines ?? null);
    const hash = await hashPassword(checkPassword(input.password));
    const now = new Date().toISOString();
    try {
      const info = this.db
        .prepare('INSERT INTO users (username, password_hash, role, groups_json, engines_json, token_stamp, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(username, hash, role, groups ? JSON.stringify(groups) : null, engines ? JSON.stringify(engines) : null, newTokenStamp(), now, now);
      return this.get(Number(info.lastInsertRowid));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw appError('USER_EXISTS', `A user named ${username} exists`);
      throw err;
    }
  }

  update(id: number, changes: UserChanges): User {
    const row = this.row(id);
    const role = changes.role === undefined ? row.role : checkRole(changes.role);
    const disabled = changes.disabled ?? row.disabled === 1;
    if (row.role === 'admin' && row.disabled === 0 && (role !== 'admin' || disabled)) this.keepAnAdmin(id);
    const newGroups = changes.groups === undefined ? undefined : checkGroups(changes.groups);
    const groups = newGroups === undefined ? row.groups_json : newGroups === null ? null : JSON.stringify(newGroups);
    const newEngines = changes.engines === undefined ? undefined : checkEngines(changes.engines);
    const engines = newEngines === undefined ? row.engines_json : newEngines === null ? null : JSON.stringify(newEngines);
    this.db
      .prepare('UPDATE users SET role = ?, groups_json = ?, engines_json = ?, disabled = ?, token_version = token_version + 1, updated_at = ? WHERE id = ?')
      .run(role, groups, engines, disabled ? 1 : 0, new Date().toISOString(), id);
    this.emit('changed', id);
    return this.get(id);
  }

  async setPassword(id: number, password: string): Promise<void> {
    this.row(id);
    const hash = await hashPassword(checkPassword(password));
    this.db.prepare('UPDATE users SET password_hash = ?, token_version = token_version + 1, updated_at = ? WHERE id = ?').run(hash, new Date().toISOString(), id);
    this.emit('changed', id);
  }

  /** Stops every token issued to this user so far; nothing else about them changes. */
  revokeTokens(id: number): User {
    this.row(id);
    this.db.prepare('UPDATE users SET token_version = token_version + 1, updated_at = ? WHERE id = ?').run(new Date().toISOString(), id);
    this.emit('changed', id);
    return this.get(id);
  }

  delete(id: number): void {
    const row = this.row(id);
    if (row.role === 'admin' && row.disabled === 0) this.keepAnAdmin(id);
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
    this.emit('changed', id);
  }

  /** The user for a correct name and password of an enabled account, else undefined. */
  async authenticate(username: string, password: string): Promise<(User & TokenIdentity) | undefined> {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    if (!row) {
      dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(password, await dummyHash);
      return undefined;
    }
    const ok = await verifyPassword(password, row.password_hash);
    return ok && row.disabled === 0 ? { ...toUser(row), tokenVersion: row.token_version, tokenStamp: row.token_stamp } : undefined;
  }

  /** What a token of this user must still match: enabled, same stamp, same token version. */
  tokenState(id: number): { user: User; tokenVersion: number; tokenStamp: string } | undefined {
    const row = this.userById.get(id);
    if (!row || row.disabled === 1) return undefined;
    return { user: toUser(row), tokenVersion: row.token_version, tokenStamp: row.token_stamp };
  }

  private row(id: number): UserRow {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    if (!row) throw appError('USER_NOT_FOUND', `No user with id ${id}`);
    return row;
  }

  private keepAnAdmin(exceptId: number): void {
    const others = (this.db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?").get(exceptId) as { n: number }).n;
    if (others === 0) throw appError('LAST_ADMIN');
  }
}
