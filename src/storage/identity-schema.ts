import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

/** A per-user random value carried in that user's tokens: a re-created user never matches it. */
export function newTokenStamp(): string {
  return randomBytes(16).toString('base64url');
}

interface Column {
  name: string;
}

/**
 * Brings the users table up to what token identity needs, whatever version the database
 * was created by (checked, not numbered, so it applies once to old databases and is a
 * no-op after):
 * - `id INTEGER PRIMARY KEY AUTOINCREMENT`: SQLite reuses a freed rowid without it, and a
 *   deleted user's token would then name the next user (security audit, issue 18 item 1);
 * - `token_stamp`: a random value per user that every token of theirs must carry.
 * The table is rebuilt in one transaction, keeping every row and id; rows that had no
 * stamp get a new one, so tokens issued before the upgrade stop working (log in again).
 * Also creates `revoked_subjects` (revoke every token of a subject issued before a time).
 */
export function ensureIdentitySchema(db: Database.Database): void {
  // IMMEDIATE: the server and a CLI opening the same old database at once must not both
  // decide to rebuild; the second waits (busy_timeout) and then finds nothing to do.
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS revoked_subjects (
      subject TEXT PRIMARY KEY,
      revoked_before INTEGER NOT NULL
    )`);
    const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").get() as { sql: string } | undefined;
    if (!table) return;
    const columns = (db.prepare('PRAGMA table_info(users)').all() as Column[]).map((c) => c.name);
    const hasStamp = columns.includes('token_stamp');
    if (hasStamp && /AUTOINCREMENT/i.test(table.sql)) return;
    db.exec(`CREATE TABLE users_next (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      username TEXT NOT NULL UNIQUE COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('user', 'developer', 'admin')),
      groups_json TEXT,
      engines_json TEXT,
      disabled INTEGER NOT NULL DEFAULT 0,
      token_version INTEGER NOT NULL DEFAULT 1,
      token_stamp TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    const copied = ['id', 'username', 'password_hash', 'role', 'groups_json', 'engines_json', 'disabled', 'token_version', 'created_at', 'updated_at'];
    const insert = db.prepare(`INSERT INTO users_next (${copied.join(', ')}, token_stamp) VALUES (${copied.map((c) => `@${c}`).join(', ')}, @token_stamp)`);
    for (const row of db.prepare('SELECT * FROM users ORDER BY id').all() as Record<string, unknown>[]) {
      const stamp = hasStamp && typeof row['token_stamp'] === 'string' && row['token_stamp'] !== '' ? row['token_stamp'] : newTokenStamp();
      insert.run({ ...Object.fromEntries(copied.map((c) => [c, row[c] ?? null])), token_stamp: stamp });
    }
    db.exec('DROP TABLE users; ALTER TABLE users_next RENAME TO users;');
  }).immediate();
}
