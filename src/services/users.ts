import { hashPassword, verifyPassword, generatePassword } from '../auth/passwords.js';
import type { Role } from '../auth/permissions.js';
import { appError } from '../errors.js';
import type { Db } from '../storage/database.js';

export interface User {
  id: number;
  username: string;
  role: Role;
  /** The user's own groups; null means the role's default groups. */
  groups: string[] | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  groups_json: string | null;
  disabled: number;
  token_version: number;
  created_at: string;
  updated_at: string;
}

export interface UserChanges {
  role?: Role;
  groups?: string[] | null;
  disabled?: boolean;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    groups: row.groups_json ? (JSON.parse(row.groups_json) as string[]) : null,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A hash to check against when the user does not exist, so timing does not tell. */
let dummyHash: Promise<string> | undefined;

/**
 * Local users in SQLite. Changing a user's role, groups, password or state, or deleting
 * them, bumps their token version: tokens issued before stop working at once.
 */
export class UserService {
  constructor(private readonly db: Db) {}

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

  async create(input: { username: string; password: string; role: Role; groups: string[] | null }): Promise<User> {
    const hash = await hashPassword(input.password);
    const now = new Date().toISOString();
    try {
      const info = this.db
        .prepare('INSERT INTO users (username, password_hash, role, groups_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.username, hash, input.role, input.groups ? JSON.stringify(input.groups) : null, now, now);
      return this.get(Number(info.lastInsertRowid));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw appError('USER_EXISTS', `A user named ${input.username} exists`);
      throw err;
    }
  }

  update(id: number, changes: UserChanges): User {
    const row = this.row(id);
    const role = changes.role ?? row.role;
    const disabled = changes.disabled ?? row.disabled === 1;
    if (row.role === 'admin' && row.disabled === 0 && (role !== 'admin' || disabled)) this.keepAnAdmin(id);
    const groups = changes.groups === undefined ? row.groups_json : changes.groups === null ? null : JSON.stringify(changes.groups);
    this.db
      .prepare('UPDATE users SET role = ?, groups_json = ?, disabled = ?, token_version = token_version + 1, updated_at = ? WHERE id = ?')
      .run(role, groups, disabled ? 1 : 0, new Date().toISOString(), id);
    return this.get(id);
  }

  async setPassword(id: number, password: string): Promise<void> {
    this.row(id);
    const hash = await hashPassword(password);
    this.db.prepare('UPDATE users SET password_hash = ?, token_version = token_version + 1, updated_at = ? WHERE id = ?').run(hash, new Date().toISOString(), id);
  }

  delete(id: number): void {
    const row = this.row(id);
    if (row.role === 'admin' && row.disabled === 0) this.keepAnAdmin(id);
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  /** The user for a correct name and password of an enabled account, else undefined. */
  async authenticate(username: string, password: string): Promise<(User & { tokenVersion: number }) | undefined> {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    if (!row) {
      dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(password, await dummyHash);
      return undefined;
    }
    const ok = await verifyPassword(password, row.password_hash);
    return ok && row.disabled === 0 ? { ...toUser(row), tokenVersion: row.token_version } : undefined;
  }

  /** What a token of this user must still match: enabled, same token version. */
  tokenState(id: number): { user: User; tokenVersion: number } | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    if (!row || row.disabled === 1) return undefined;
    return { user: toUser(row), tokenVersion: row.token_version };
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
