import type { Db } from '../storage/database.js';
import type { Alert, AlertListQuery } from './schemas.js';

/** What an alert is about: a container (by engine and id), a group, or an engine. */
export interface AlertSubject {
  /** Unique within a rule: one firing alert per rule and subject. */
  key: string;
  engine: string;
  container: { id: string; name: string } | null;
  group: string | null;
  groups: string[];
}

interface Row {
  id: number;
  rule: string;
  kind: string;
  subject: string;
  engine: string;
  container_id: string | null;
  container_name: string | null;
  group_name: string | null;
  groups_json: string;
  state: 'firing' | 'resolved';
  message: string;
  details_json: string;
  fired_at: string;
  notified_at: string | null;
  resolved_at: string | null;
}

function toAlert(r: Row): Alert & { subject: string } {
  return {
    id: r.id,
    rule: r.rule,
    kind: r.kind,
    subject: r.subject,
    state: r.state,
    message: r.message,
    engine: r.engine,
    container: r.container_id ? { id: r.container_id, name: r.container_name ?? '' } : null,
    group: r.group_name,
    groups: JSON.parse(r.groups_json) as string[],
    details: JSON.parse(r.details_json) as Record<string, unknown>,
    firedAt: r.fired_at,
    notifiedAt: r.notified_at,
    resolvedAt: r.resolved_at,
  };
}

export type StoredAlert = Alert & { subject: string };

/**
 * Alerts in SQLite, so a restart knows what is firing (no second notice for it, and its
 * recovery notice still goes out). At most one firing row per rule and subject (a unique
 * partial index); resolved rows are history, pruned after ALERT_HISTORY_DAYS.
 */
export class AlertStore {
  constructor(private readonly db: Db) {}

  firing(): StoredAlert[] {
    return (this.db.prepare(`SELECT * FROM alerts WHERE state = 'firing' ORDER BY id`).all() as Row[]).map(toAlert);
  }

  fire(rule: string, kind: string, subject: AlertSubject, message: string, details: Record<string, unknown>, time: string): StoredAlert {
    const row = this.db
      .prepare(
        `INSERT INTO alerts (rule, kind, subject, engine, container_id, container_name, group_name, groups_json, state, message, details_json, fired_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'firing', ?, ?, ?) RETURNING *`,
      )
      .get(
        rule,
        kind,
        subject.key,
        subject.engine,
        subject.container?.id ?? null,
        subject.container?.name ?? null,
        subject.group,
        JSON.stringify(subject.groups),
        message,
        JSON.stringify(details),
        time,
      ) as Row;
    return toAlert(row);
  }

  notified(id: number, time: string): void {
    this.db.prepare('UPDATE alerts SET notified_at = ? WHERE id = ?').run(time, id);
  }

  resolve(id: number, time: string, details: Record<string, unknown>): StoredAlert | undefined {
    const row = this.db
      .prepare(`UPDATE alerts SET state = 'resolved', resolved_at = ?, details_json = ? WHERE id = ? AND state = 'firing' RETURNING *`)
      .get(time, JSON.stringify(details), id) as Row | undefined;
    return row ? toAlert(row) : undefined;
  }

  /** Newest first; `visible` filters by the caller's groups after the query (rows are few and small). */
  list(query: AlertListQuery, visible: (a: Alert) => boolean): Alert[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      args.push(value);
    };
    if (query.state) add('state = ?', query.state);
    if (query.rule) add('rule = ?', query.rule);
    if (query.since) add('fired_at >= ?', new Date(query.since).toISOString());
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`;
    const out: Alert[] = [];
    for (const row of this.db.prepare(sql).iterate(...args) as Iterable<Row>) {
      const alert = toAlert(row);
      if (query.group && !alert.groups.includes(query.group)) continue;
      if (!visible(alert)) continue;
      const { subject: _subject, ...rest } = alert;
      out.push(rest);
      if (out.length >= query.limit) break;
    }
    return out;
  }

  silences(): Map<string, string> {
    const rows = this.db.prepare('SELECT rule, until FROM alert_silences').all() as { rule: string; until: string }[];
    return new Map(rows.map((r) => [r.rule, r.until]));
  }

  silence(rule: string, until: string, by: string): void {
    this.db
      .prepare('INSERT INTO alert_silences (rule, until, created_by, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (rule) DO UPDATE SET until = excluded.until, created_by = excluded.created_by, created_at = excluded.created_at')
      .run(rule, until, by, new Date().toISOString());
  }

  unsilence(rule: string): boolean {
    return this.db.prepare('DELETE FROM alert_silences WHERE rule = ?').run(rule).changes > 0;
  }

  prune(historyDays: number): void {
    const before = new Date(Date.now() - historyDays * 86_400_000).toISOString();
    this.db.prepare(`DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < ?`).run(before);
    this.db.prepare('DELETE FROM alert_silences WHERE until < ?').run(new Date().toISOString());
  }
}
