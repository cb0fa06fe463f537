import type { Db } from '../storage/database.js';

/** Token ids revoked by logout, kept until they would have expired anyway. */
export class Revocations {
  constructor(private readonly db: Db) {}

  revoke(jti: string, expiresAt: number): void {
    this.db.prepare('INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)').run(jti, expiresAt);
  }

  isRevoked(jti: string): boolean {
    return this.db.prepare('SELECT 1 FROM revoked_tokens WHERE jti = ?').get(jti) !== undefined;
  }

  prune(nowSeconds = Math.floor(Date.now() / 1000)): number {
    return this.db.prepare('DELETE FROM revoked_tokens WHERE expires_at < ?').run(nowSeconds).changes;
  }
}
