import { appError } from '../errors.js';
import type { AuditDetails, AuditEntry, AuditQuery, AuditRecord } from './schemas.js';
import type { Db } from '../storage/database.js';

/**
 * `time` of an entry may carry any offset; it is stored in UTC. Query `since`/`until` are
 * compared as instants, not as text.
 */
export type { AuditDetails, AuditEntry, AuditQuery, AuditRecord };

/** An ISO 8601 time with any offset as the UTC text stored in `time` (which sorts by instant). */
function utc(time: string): string {
  const instant = new Date(time);
  if (Number.isNaN(instant.getTime())) throw appError('VALIDATION_ERROR', `Not a valid time: ${JSON.stringify(time.slice(0, 50))}`);
  return instant.toISOString();
}

interface AuditRow extends Omit<AuditRecord, 'details'> {
  details: string | null;
}

/** The audit log: one synchronous insert per mutating request, before its answer leaves. */
export class AuditLog {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly retentionDays: number,
  ) {
    this.insert = db.prepare(
      'INSERT INTO audit (time, actor, role, ip, method, action, target, outcome, status, duration_ms, request_id, details) VALUES (@time, @actor, @role, @ip, @method, @action, @target, @outcome, @status, @durationMs, @requestId, @details)',
    );
  }

  record(entry: AuditEntry): void {
    this.insert.run({ ...entry, time: utc(entry.time), details: entry.details ? JSON.stringify(entry.details) : null });
  }

  query(q: AuditQuery): { entries: AuditRecord[]; nextBefore: number | null } {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
    for (const [key, column] of [
      ['actor', 'actor'],
      ['action', 'action'],
      ['outcome', 'outcome'],
    ] as const) {
      if (q[key] !== undefined) {
        where.push(`${column} = @${key}`);
        params[key] = q[key];
      }
    }
    if (q.since) {
      where.push('time >= @since');
      params['since'] = utc(q.since);
    }
    if (q.until) {
      where.push('time <= @until');
      params['until'] = utc(q.until);
    }
    if (q.before !== undefined) {
      where.push('id < @before');
      params['before'] = q.before;
    }
    const sql = `SELECT id, time, actor, role, ip, method, action, target, outcome, status, duration_ms AS durationMs, request_id AS requestId, details FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as AuditRow[];
    const page = rows.slice(0, q.limit).map((row): AuditRecord => ({ ...row, details: row.details ? (JSON.parse(row.details) as AuditDetails) : null }));
    return { entries: page, nextBefore: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** Deletes entries older than the retention period; returns how many. */
  prune(now = Date.now()): number {
    const cutoff = new Date(now - this.retentionDays * 86_400_000).toISOString();
    return this.db.prepare('DELETE FROM audit WHERE time < ?').run(cutoff).changes;
  }
}
