import type { ContainerUsage } from '../containers/schemas.js';
import type { StatsService } from '../containers/stats/stats.js';
import type { ContainerReader } from '../containers/store-reader.js';
import type { AlertCenter } from './alert-center.js';
import { containerSubject, inScope } from './scope.js';
import type { Watcher } from './watcher.js';

/**
 * usage.cpu and usage.memory: a container above `above` percent (CPU: 100 = one core;
 * memory: of its limit) in every shared stats sample for `for`. Reads the samples the
 * service already takes (STATS_INTERVAL_MS); with such a rule, sampling never idles.
 * Clears at the first sample at or below the threshold, or when the container stops.
 */
export function watchUsage(center: AlertCenter, store: ContainerReader, stats: StatsService): Watcher {
  const rules = center.rules.rules.filter((r) => r.when === 'usage.cpu' || r.when === 'usage.memory');
  if (rules.length === 0) return { stop: () => undefined };
  const above = new Map<string, number>();

  const onSample = (usage: ReadonlyMap<string, ContainerUsage>) => {
    const now = Date.now();
    for (const rule of rules) {
      const cpu = rule.when === 'usage.cpu';
      for (const alert of center.firingOf(rule)) {
        if (!alert.container || !usage.has(alert.container.id)) center.clear(rule, alert.subject, `${alert.container?.name ?? 'the container'} stopped`);
      }
      for (const [id, u] of usage) {
        const c = store.summary(id);
        if (!c || !inScope(rule, c)) continue;
        const subject = containerSubject(c);
        const key = `${rule.name}\u0000${subject.key}`;
        const value = cpu ? u.cpuPercent : u.memory.limit > 0 ? u.memory.percent : null;
        if (value === null || value <= rule.above) {
          above.delete(key);
          center.clear(rule, subject.key, `${c.name} ${cpu ? 'CPU' : 'memory'} at ${value ?? '?'}%`);
          continue;
        }
        const first = above.get(key) ?? now;
        above.set(key, first);
        if (now - first < rule.forMs) continue;
        center.raise(rule, subject, `${c.name} ${cpu ? 'CPU' : 'memory'} at ${value}% (above ${rule.above}% for ${Math.round((now - first) / 1000)}s)`, {
          value,
          threshold: rule.above,
          forSeconds: rule.forMs / 1000,
          ...(cpu ? {} : { memoryUsage: u.memory.usage, memoryLimit: u.memory.limit }),
        });
      }
    }
    for (const key of above.keys()) if (!usage.has(key.slice(key.lastIndexOf(':') + 1))) above.delete(key);
  };

  const unsubscribe = stats.subscribe(onSample);
  return { stop: unsubscribe };
}
