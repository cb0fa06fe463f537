import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * The resource history lives in its own file beside the main database: its steady stream of
 * writes never holds the write lock that logins, audit and revocations need (SQLite has one
 * writer per file), its size is the bound README states, and an operator may delete it
 * without touching users or tokens.
 *
 * Each entry moves the schema one version up; never edit a released one, add the next.
 */
const HISTORY_MIGRATIONS: string[] = [
  // A series is one container (engine + id, its latest name and groups for display and
  // access) or one service group (engine '*': a group may span engines). Points name their
  // series by a small integer, so the 64-character id is stored once, not per point.
  `CREATE TABLE history_series (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('container', 'group')),
     engine TEXT NOT NULL,
     key TEXT NOT NULL,
     name TEXT NOT NULL,
     groups_json TEXT NOT NULL DEFAULT '[]',
     last_seen INTEGER NOT NULL,
     UNIQUE (kind, engine, key)
   );
   CREATE INDEX history_series_name ON history_series (kind, name);
   -- One bucket of one series at one resolution (tier 0 finest). Sums and counts, not
   -- averages, so a coarse bucket accumulates its rounds exactly and a group's point is
   -- exactly the sum of its members'. Integers only (CPU in hundredths of a percent, bytes,
   -- bytes/s): SQLite stores small integers in 1-6 bytes, a REAL always in 8.
   -- WITHOUT ROWID, clustered by (series, tier, time): a range read is one b-tree walk.
   CREATE TABLE history_points (
     series INTEGER NOT NULL,
     tier INTEGER NOT NULL,
     time INTEGER NOT NULL,
     samples INTEGER NOT NULL,
     cpu INTEGER NOT NULL,
     memory INTEGER NOT NULL,
     memory_limit INTEGER,
     net_samples INTEGER NOT NULL,
     rx INTEGER NOT NULL,
     tx INTEGER NOT NULL,
     PRIMARY KEY (series, tier, time)
   ) WITHOUT ROWID;`,
];

export const HISTORY_DB_FILE = 'history.sqlite';

/** Opens (or creates) DATA_DIR/history.sqlite, migrated to the latest history schema. */
export function openHistoryDatabase(dataDir: string, fileName = HISTORY_DB_FILE): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, fileName);
  const db = new Database(path);
  chmodSync(path, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < HISTORY_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(HISTORY_MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
