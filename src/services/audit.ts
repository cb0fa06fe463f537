import type { Db } from '../storage/database.js';

export interface AuditEntry {
  time: string;
  actor: string;
  role: string | null;
  ip: string;
  method: string;
  action: string;
  target: string | null;
  outcome: 'allowed' | 'denied' | 'failed';
  status: number;
  durationMs: number;
  requestId: string;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  outcome?: AuditEntry['outcome'];
  since?: string;
  until?: string;
  /** Entries with an id below this (paging backwards from the newest). */
  before?: number;
  limit: number;
}

/** The audit log: one synchronous insert per mutating request, before its answer leaves. */
export class AuditLog {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly retentionDays: number,
  ) {
    this.insert = db.prepare(
      'INSERT INTO audit (time, actor, role, ip, method, action, target, outcome, status, duration_ms, request_id) VALUES (@time, @actor, @role, @ip, @method, @action, @target, @outcome, @status, @durationMs, @requestId)',
    );
  }

  record(entry: AuditEntry): void {
    this.insert.run(entry);
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
      params['since'] = q.since;
    }
    if (q.until) {
      where.push('time <= @until');
      params['until'] = q.until;
    }
    if (q.before !== undefined) {
      where.push('id < @before');
      params['before'] = q.before;
    }
    const sql = `SELECT id, time, actor, role, ip, method, action, target, outcome, status, duration_ms AS durationMs, request_id AS requestId FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as AuditRecord[];
    const page = rows.slice(0, q.limit);
    return { entries: page, nextBefore: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** Deletes entries older than the retention period; returns how many. */
  prune(now = Date.now()): number {
    const cutoff = new Date(now - this.retentionDays * 86_400_000).toISOString();
    return this.db.prepare('DELETE FROM audit WHERE time < ?').run(cutoff).changes;
  }
}
