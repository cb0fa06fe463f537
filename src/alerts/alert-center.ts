import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { AlertStore, AlertSubject, StoredAlert } from './alert-store.js';
import type { AlertMetrics } from './metrics.js';
import type { AlertNotice } from './notices.js';
import type { DeliveryReport, NotifierWorker } from './notifier-worker.js';
import type { AlertRule, AlertRules } from './rules-load.js';
import type { Alert } from './schemas.js';

interface CenterEvents {
  /** An alert fired or resolved (what the SSE stream and the dashboard's toast show). */
  alert: [Alert];
  /** A notice was sent, failed for good, or was dropped from a full queue. */
  delivery: [DeliveryReport];
}

const keyOf = (rule: string, subject: string) => `${rule}\u0000${subject}`;

function publicAlert(a: StoredAlert): Alert {
  const { subject: _subject, ...rest } = a;
  return rest;
}

/**
 * Alert state: what fires, once per rule and subject, until it clears. The watchers say
 * raise or clear; this decides whether that is news (a firing row already there is not),
 * keeps it in SQLite, counts it, tells the stream, and queues the notices — none while the
 * rule is silenced, repeats every `repeat` while it holds, a recovery notice when it clears.
 */
export class AlertCenter extends EventEmitter<CenterEvents> {
  private readonly active = new Map<string, StoredAlert>();
  private silences = new Map<string, string>();

  constructor(
    readonly rules: AlertRules,
    private readonly store: AlertStore,
    readonly workers: ReadonlyMap<string, NotifierWorker>,
    private readonly metrics: AlertMetrics,
    private readonly log: FastifyBaseLogger,
  ) {
    super();
    this.setMaxListeners(0);
    for (const a of store.firing()) this.active.set(keyOf(a.rule, a.subject), a);
    this.silences = store.silences();
  }

  rule(name: string): AlertRule | undefined {
    return this.rules.rules.find((r) => r.name === name);
  }

  isFiring(rule: AlertRule, key: string): boolean {
    return this.active.has(keyOf(rule.name, key));
  }

  /** The firing alerts of a rule (subject keys included), e.g. to reconcile after a resync. */
  firingOf(rule: AlertRule): StoredAlert[] {
    return [...this.active.values()].filter((a) => a.rule === rule.name);
  }

  firingAlerts(): Alert[] {
    return [...this.active.values()].map(publicAlert);
  }

  raise(rule: AlertRule, subject: AlertSubject, message: string, details: Record<string, unknown> = {}): void {
    const key = keyOf(rule.name, subject.key);
    if (this.active.has(key)) return;
    const now = new Date().toISOString();
    const alert = this.store.fire(rule.name, rule.when, subject, message, details, now);
    this.active.set(key, alert);
    this.metrics.fired.inc({ rule: rule.name });
    this.log.info({ rule: rule.name, subject: subject.key, alert: alert.id }, `alert firing: ${message}`);
    this.emit('alert', publicAlert(alert));
    this.notify(rule, alert, 'firing');
  }

  clear(rule: AlertRule, subjectKey: string, message: string, details: Record<string, unknown> = {}): void {
    const key = keyOf(rule.name, subjectKey);
    const alert = this.active.get(key);
    if (!alert) return;
    this.active.delete(key);
    const resolved = this.store.resolve(alert.id, new Date().toISOString(), { ...alert.details, ...details, resolution: message });
    if (!resolved) return;
    this.metrics.resolved.inc({ rule: rule.name });
    this.log.info({ rule: rule.name, subject: subjectKey, alert: alert.id }, `alert resolved: ${message}`);
    this.emit('alert', publicAlert(resolved));
    this.notify(rule, { ...resolved, message: `${alert.message} — resolved: ${message}` }, 'resolved');
  }

  silencedUntil(rule: string, now = Date.now()): string | null {
    const until = this.silences.get(rule);
    return until !== undefined && Date.parse(until) > now ? until : null;
  }

  silence(rule: string, ms: number, by: string): string {
    const until = new Date(Date.now() + ms).toISOString();
    this.store.silence(rule, until, by);
    this.silences.set(rule, until);
    return until;
  }

  unsilence(rule: string): void {
    this.store.unsilence(rule);
    this.silences.delete(rule);
  }

  /** Repeats of alerts still firing, each at most every `repeat` of its rule. */
  tick(now = Date.now()): void {
    for (const alert of this.active.values()) {
      const rule = this.rule(alert.rule);
      if (!rule?.repeatMs) continue;
      const last = Date.parse(alert.notifiedAt ?? alert.firedAt);
      if (now - last >= rule.repeatMs) this.notify(rule, alert, 'firing', true);
    }
  }

  /** A worker's report: counted per rule, notifier and outcome. */
  delivered(report: DeliveryReport): void {
    this.metrics.notifications.inc({ rule: report.rule, notifier: report.notifier, outcome: report.outcome });
    if (report.outcome !== 'sent') this.log.warn({ ...report }, `alert notification ${report.outcome}`);
    this.emit('delivery', report);
  }

  /** The admin's test: one attempt per notifier of the rule, now, with the results. */
  async test(rule: AlertRule, by: string) {
    const notice = this.notice(rule, null, 'firing', `Test notification for rule ${rule.name}, sent by ${by}`);
    notice.test = true;
    const results = await Promise.all(
      rule.notify.map(async (name) => {
        const worker = this.workers.get(name) as NotifierWorker;
        return { notifier: name, ...(await worker.sendOnce(notice)) };
      }),
    );
    return { rule: rule.name, results };
  }

  private notify(rule: AlertRule, alert: StoredAlert, state: 'firing' | 'resolved', repeat = false): void {
    if (this.silencedUntil(rule.name)) return;
    const notice = this.notice(rule, alert, state, alert.message);
    if (repeat) notice.repeat = true;
    for (const name of rule.notify) this.workers.get(name)?.enqueue(notice);
    if (state === 'firing') {
      alert.notifiedAt = notice.time;
      this.store.notified(alert.id, notice.time);
    }
  }

  private notice(rule: AlertRule, alert: StoredAlert | null, state: 'firing' | 'resolved', message: string): AlertNotice {
    return {
      rule: rule.name,
      kind: rule.when,
      state,
      message,
      time: new Date().toISOString(),
      alertId: alert?.id ?? null,
      engine: alert?.engine ?? 'local',
      container: alert?.container ? { ...alert.container, engine: alert.engine } : null,
      group: alert?.group ?? null,
      groups: alert?.groups ?? [],
      details: alert?.details ?? {},
    };
  }
}
