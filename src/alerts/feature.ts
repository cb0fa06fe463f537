import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { ContainersFeature } from '../containers/feature.js';
import type { UpdateMarkFeed } from '../containers/update-marks.js';
import type { GroupCatalog } from '../groups/catalog.js';
import type { Db } from '../storage/database.js';
import { AlertCenter } from './alert-center.js';
import { AlertStore } from './alert-store.js';
import { createAlertMetrics } from './metrics.js';
import { AllowList, checkTarget, systemResolver, TargetRefused, type Resolver } from './net-guard.js';
import { NotifierWorker } from './notifier-worker.js';
import { AlertRulesError, loadAlertRules, type AlertRules } from './rules-load.js';
import { watchContainers } from './watch-containers.js';
import { watchEngine } from './watch-engine.js';
import { watchGroups } from './watch-groups.js';
import { watchLogs } from './watch-logs.js';
import { watchUpdates } from './watch-updates.js';
import { watchUsage } from './watch-usage.js';
import type { Watcher } from './watcher.js';

export interface AlertsFeature {
  center: AlertCenter;
  store: AlertStore;
  start(): void;
  close(): void;
}

export interface AlertsDeps {
  config: Pick<Config, 'alerts'>;
  db: Db;
  registry: Registry;
  containers: Pick<ContainersFeature, 'store' | 'stats' | 'logs' | 'engines'>;
  /** The containers' image update marks (written by each update check): update.available. */
  updateMarks: UpdateMarkFeed;
  catalog: GroupCatalog;
  isBusy: (group: string) => boolean;
  log: FastifyBaseLogger;
  /** Tests pass a resolver whose answers they choose (DNS rebinding). */
  resolve?: Resolver;
}

/** Each notifier's target, checked once at start: a refused one stops the service with the file, notifier and reason. */
async function checkNotifiers(rules: AlertRules, allow: AllowList, resolve: Resolver, log: FastifyBaseLogger): Promise<void> {
  for (const n of rules.notifiers.values()) {
    try {
      await checkTarget(n.url, allow, resolve);
    } catch (err) {
      if (err instanceof TargetRefused && err.unresolved) {
        log.warn(`${rules.file}: notifier "${n.name}": ${err.message} now; checked again at each send`);
        continue;
      }
      throw new AlertRulesError(rules.file, `notifier ${JSON.stringify(n.name)}`, `key url: refused: ${(err as Error).message}`);
    }
  }
}

/**
 * Alerts: the rules (ALERT_RULES_FILE, validated here, at start), one worker per notifier,
 * the alert state in SQLite, and the watchers that feed it from the store's changes, the
 * stats samples, the logs and the engine's status.
 */
export async function createAlertsFeature(deps: AlertsDeps): Promise<AlertsFeature> {
  const { config, log } = deps;
  let allow: AllowList;
  try {
    allow = new AllowList(config.alerts.webhookAllow);
  } catch (err) {
    throw new AlertRulesError('ALERT_WEBHOOK_ALLOW', 'entry', (err as Error).message);
  }
  const rules: AlertRules = config.alerts.rulesFile ? loadAlertRules(config.alerts.rulesFile) : { file: '(none)', notifiers: new Map(), rules: [] };
  const resolve = deps.resolve ?? systemResolver;
  await checkNotifiers(rules, allow, resolve, log);
  const store = new AlertStore(deps.db);
  const metrics = createAlertMetrics(deps.registry);
  const workers = new Map<string, NotifierWorker>();
  const limits = { timeoutMs: config.alerts.timeoutMs, retries: config.alerts.retries, retryBaseMs: config.alerts.retryBaseMs, queueSize: config.alerts.queueSize };
  const center: AlertCenter = new AlertCenter(rules, store, workers, metrics, log);
  for (const n of rules.notifiers.values()) workers.set(n.name, new NotifierWorker(n, limits, allow, (r) => center.delivered(r), resolve));

  let watchers: Watcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  return {
    center,
    store,
    start() {
      if (timer) return;
      const { store: containers, stats, logs } = deps.containers;
      watchers = [
        watchContainers(center, containers),
        watchGroups(center, containers, deps.catalog, deps.isBusy),
        watchUsage(center, containers, stats),
        watchLogs(center, containers, logs, config.alerts.logFollowers, log),
        watchEngine(center, deps.containers.engines),
        watchUpdates(center, containers, deps.updateMarks),
      ];
      // Grace periods, quiet periods and repeats are looked at once a second.
      timer = setInterval(() => {
        const now = Date.now();
        for (const w of watchers) w.tick?.(now);
        center.tick(now);
      }, 1000);
      timer.unref();
      store.prune(config.alerts.historyDays);
      pruneTimer = setInterval(() => store.prune(config.alerts.historyDays), 3_600_000);
      pruneTimer.unref();
    },
    close() {
      clearInterval(timer);
      clearInterval(pruneTimer);
      for (const w of watchers) w.stop();
      for (const w of workers.values()) w.close();
    },
  };
}
