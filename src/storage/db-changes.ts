import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * Tells whether the database may have changed since the last look, for caches of what a
 * request reads on every call (revocations, a user's token state). Two counters, read
 * together in ~3 µs instead of a lookup per table: `PRAGMA data_version` moves when another
 * connection committed (another process: the `user` CLI disabling a user, a second
 * replica logging a token out), `total_changes()` when this connection wrote a row.
 */
export class DbChanges {
  private readonly others: Statement<[], number>;
  private readonly own: Statement<[], number>;
  private lastOthers = -1;
  private lastOwn = -1;

  constructor(db: Db) {
    this.others = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.own = db.prepare<[], number>('SELECT total_changes()').pluck();
  }

  /** True when anything may have changed since the previous call (and on the first call). */
  moved(): boolean {
    const others = this.others.get() as number;
    const own = this.own.get() as number;
    if (others === this.lastOthers && own === this.lastOwn) return false;
    this.lastOthers = others;
    this.lastOwn = own;
    return true;
  }
}
