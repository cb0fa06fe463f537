import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../storage/database.js';

interface RevocationEvents {
  /** A token or a subject was revoked: open streams re-check who they serve. */
  revoked: [];
}

/**
 * What makes a single token revocable: its `jti` when it has one, else a SHA-256 of the
 * whole token, so that a platform token without `jti` can be logged out too.
 */
export function revocationKey(token: string, jti: string | undefined): string {
  return jti ? jti : `sha256:${createHash('sha256').update(token).digest('hex')}`;
}

/**
 * Revoked tokens (logout), kept until they would have expired anyway, and revoked
 * subjects: every token of that `sub` issued at or before a time (for tokens we did not
 * issue, whose subject is not a local user).
 */
export class Revocations extends EventEmitter<RevocationEvents> {
  /** Asked on every authenticated request: compiled once (better-sqlite3 compiles on each prepare). */
  private readonly revokedToken: Statement<[string], unknown>;
  private readonly revokedSubject: Statement<[string], { before: number }>;

  constructor(private readonly db: Db) {
    super();
    this.setMaxListeners(0);
    this.revokedToken = db.prepare('SELECT 1 FROM revoked_tokens WHERE jti = ?');
    this.revokedSubject = db.prepare('SELECT revoked_before AS before FROM revoked_subjects WHERE subject = ?');
  }

  revoke(key: string, expiresAt: number): void {
    this.db.prepare('INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)').run(key, expiresAt);
    this.emit('revoked');
  }

  isRevoked(key: string): boolean {
    return this.revokedToken.get(key) !== undefined;
  }

  /**
   * Refuses every token of `subject` issued at or before now (unix seconds, returned).
   * A token issued later in the same second is refused too: iat has no finer grain, and
   * refusing one too many is the safe side.
   */
  revokeSubject(subject: string, nowSeconds = Math.floor(Date.now() / 1000)): number {
    this.db
      .prepare('INSERT INTO revoked_subjects (subject, revoked_before) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET revoked_before = MAX(revoked_before, excluded.revoked_before)')
      .run(subject, nowSeconds);
    this.emit('revoked');
    return nowSeconds;
  }

  /** Whether a token of `subject` issued at `issuedAt` (unix seconds; unknown: undefined) was revoked. */
  isSubjectRevoked(subject: string, issuedAt: number | undefined): boolean {
    const row = this.revokedSubject.get(subject);
    if (!row) return false;
    // Without iat nothing proves the token is newer than the revocation.
    return issuedAt === undefined || issuedAt <= row.before;
  }

  prune(nowSeconds = Math.floor(Date.now() / 1000)): number {
    return this.db.prepare('DELETE FROM revoked_tokens WHERE expires_at < ?').run(nowSeconds).changes;
  }
}
