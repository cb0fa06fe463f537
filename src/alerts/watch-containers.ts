import type { ContainerChange } from '../containers/container-store.js';
import type { ContainerReader } from '../containers/store-reader.js';
import type { AlertCenter } from './alert-center.js';
import type { AlertRule } from './rules-load.js';
import { containerSubject, engineOf, inScope } from './scope.js';
import type { Watcher } from './watcher.js';

const KINDS = new Set(['container.died', 'container.unhealthy', 'container.oom', 'container.restart_loop']);

/**
 * container.died, .unhealthy, .oom and .restart_loop, from the store's changes (each with
 * the engine's action, and a die's exit code). Recovery: died and oom clear when the
 * container runs again, unhealthy when its health is anything else, a restart loop when
 * no start came for `within`; all of them when the container is removed. After a resync
 * (start-up, engine back) the firing ones are checked against what the store now holds.
 */
export function watchContainers(center: AlertCenter, store: ContainerReader): Watcher {
  const rules = center.rules.rules.filter((r) => KINDS.has(r.when));
  if (rules.length === 0) return { stop: () => undefined };
  const starts = new Map<string, number[]>();
  const horizon = Math.max(...rules.map((r) => r.withinMs));

  const onChange = (change: ContainerChange) => {
    const c = change.container;
    for (const rule of rules) {
      if (!c) {
        const key = `${engineOf(change)}:${change.id}`;
        starts.delete(`${rule.name}\u0000${key}`);
        center.clear(rule, key, `${change.name} was removed`);
        continue;
      }
      if (!inScope(rule, c)) continue;
      const subject = containerSubject(c);
      const record = store.record(c.id, subject.engine);
      switch (rule.when) {
        case 'container.died': {
          if (change.action === 'die') {
            const code = change.exitCode ?? record?.exitCode ?? 0;
            if (code !== 0) center.raise(rule, subject, `${c.name} exited with code ${code}`, { exitCode: code, oomKilled: record?.oomKilled ?? false });
          } else if (c.state === 'running') center.clear(rule, subject.key, `${c.name} is running again`);
          break;
        }
        case 'container.oom':
          if (change.action === 'oom' || (change.action === 'die' && record?.oomKilled)) {
            center.raise(rule, subject, `${c.name} was killed: out of memory`, { exitCode: change.exitCode ?? record?.exitCode ?? null });
          } else if (change.action !== 'die' && c.state === 'running') center.clear(rule, subject.key, `${c.name} is running again`);
          break;
        case 'container.unhealthy':
          if (c.health === 'unhealthy') {
            const output = record?.health?.log.at(-1)?.output.trim().slice(0, 500) ?? null;
            center.raise(rule, subject, `${c.name} is unhealthy`, { failingStreak: record?.health?.failingStreak ?? null, lastOutput: output });
          } else center.clear(rule, subject.key, `${c.name} is ${c.health === 'none' ? 'no longer health-checked' : c.health}`);
          break;
        case 'container.restart_loop':
          if (change.action === 'start') countStart(rule, subject, c.name);
          break;
      }
    }
  };

  const countStart = (rule: AlertRule, subject: ReturnType<typeof containerSubject>, name: string) => {
    const id = `${rule.name}\u0000${subject.key}`;
    const now = Date.now();
    const times = (starts.get(id) ?? []).filter((t) => now - t < rule.withinMs);
    times.push(now);
    starts.set(id, times);
    if (times.length >= rule.restarts) {
      center.raise(rule, subject, `${name} started ${times.length} times within ${rule.withinMs / 1000}s`, { restarts: times.length, withinSeconds: rule.withinMs / 1000 });
    }
  };

  /** Firing alerts whose container no longer shows the problem (after a restart of the service, or a resync). */
  const reconcile = () => {
    for (const rule of rules) {
      for (const alert of center.firingOf(rule)) {
        const c = alert.container ? store.summary(alert.container.id, undefined, alert.engine) : undefined;
        if (!c) center.clear(rule, alert.subject, `${alert.container?.name ?? 'the container'} is gone`);
        else if ((rule.when === 'container.died' || rule.when === 'container.oom') && c.state === 'running') center.clear(rule, alert.subject, `${c.name} is running again`);
        else if (rule.when === 'container.unhealthy' && c.health !== 'unhealthy') center.clear(rule, alert.subject, `${c.name} is ${c.health}`);
      }
    }
  };

  store.on('change', onChange);
  store.on('synced', reconcile);
  if (store.isSynced) reconcile();
  return {
    tick(now) {
      for (const rule of rules) {
        if (rule.when !== 'container.restart_loop') continue;
        for (const alert of center.firingOf(rule)) {
          const last = Math.max(Date.parse(alert.firedAt), ...(starts.get(`${rule.name}\u0000${alert.subject}`) ?? []));
          if (now - last >= rule.withinMs) center.clear(rule, alert.subject, `no start for ${rule.withinMs / 1000}s`);
        }
      }
      for (const [id, times] of starts) if (times.every((t) => now - t > horizon)) starts.delete(id);
    },
    stop() {
      store.off('change', onChange);
      store.off('synced', reconcile);
    },
  };
}
