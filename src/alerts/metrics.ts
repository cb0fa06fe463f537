import { Counter, type Registry } from 'prom-client';

/** Per rule: alerts fired and resolved; per rule and notifier: notices sent, failed for good, dropped. */
export interface AlertMetrics {
  fired: Counter<'rule'>;
  resolved: Counter<'rule'>;
  notifications: Counter<'rule' | 'notifier' | 'outcome'>;
}

export function createAlertMetrics(registry: Registry): AlertMetrics {
  return {
    fired: new Counter({ name: 'gdm_alerts_fired_total', help: 'Alerts that fired, by rule', labelNames: ['rule'], registers: [registry] }),
    resolved: new Counter({ name: 'gdm_alerts_resolved_total', help: 'Alerts that cleared, by rule', labelNames: ['rule'], registers: [registry] }),
    notifications: new Counter({
      name: 'gdm_alert_notifications_total',
      help: 'Alert notices by rule, notifier and outcome (sent; failed after its retries or refused; dropped from a full queue)',
      labelNames: ['rule', 'notifier', 'outcome'],
      registers: [registry],
    }),
  };
}
