import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensureIdentitySchema } from './identity-schema.js';

export type Db = Database.Database;

/** Each entry moves the schema one version up; never edit a released one, add the next. */
const MIGRATIONS: string[] = [
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY,
     username TEXT NOT NULL UNIQUE COLLATE NOCASE,
     password_hash TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('user', 'developer', 'admin')),
     groups_json TEXT,
     disabled INTEGER NOT NULL DEFAULT 0,
     token_version INTEGER NOT NULL DEFAULT 1,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE revoked_tokens (
     jti TEXT PRIMARY KEY,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY,
     time TEXT NOT NULL,
     actor TEXT NOT NULL,
     role TEXT,
     ip TEXT NOT NULL,
     method TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT,
     outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
     status INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     request_id TEXT NOT NULL
   );
   CREATE INDEX audit_time ON audit (time);
   CREATE INDEX audit_actor ON audit (actor, time);`,
  // What a mutating request asked for: its declared body fields and query options (JSON).
  `ALTER TABLE audit ADD COLUMN details TEXT;`,
  // Alerts (src/alerts/): every firing with its recovery, and the rules' silences.
  `CREATE TABLE alerts (
     id INTEGER PRIMARY KEY,
     rule TEXT NOT NULL,
     kind TEXT NOT NULL,
     subject TEXT NOT NULL,
     engine TEXT NOT NULL,
     container_id TEXT,
     container_name TEXT,
     group_name TEXT,
     groups_json TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
     message TEXT NOT NULL,
     details_json TEXT NOT NULL,
     fired_at TEXT NOT NULL,
     notified_at TEXT,
     resolved_at TEXT
   );
   CREATE UNIQUE INDEX alerts_one_firing ON alerts (rule, subject) WHERE state = 'firing';
   CREATE INDEX alerts_fired_at ON alerts (fired_at);
   CREATE TABLE alert_silences (
     rule TEXT PRIMARY KEY,
     until TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
  // Image updates (src/updates/): the images a successful update replaced, for the admin prune.
  `CREATE TABLE update_superseded (
     engine TEXT NOT NULL,
     image_id TEXT NOT NULL,
     superseded_at TEXT NOT NULL,
     PRIMARY KEY (engine, image_id)
   );`,
  // A local user's own engines (JSON list; null: the role's), as groups_json is for groups.
  `ALTER TABLE users ADD COLUMN engines_json TEXT;`,
];

/**
 * Opens (or creates) the embedded database under DATA_DIR: WAL for concurrent readers, a
 * busy timeout instead of SQLITE_BUSY errors, and the schema migrated to the latest version.
 */
export function openDatabase(dataDir: string, fileName = 'gui-docker-manager.sqlite'): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, fileName);
  const db = new Database(path);
  chmodSync(path, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  // Checked at every open rather than numbered: safe for any database this service made.
  ensureIdentitySchema(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
