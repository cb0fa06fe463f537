import type { ContainerReader } from '../containers/store-reader.js';
import type { AlertCenter } from './alert-center.js';
import type { Watcher } from './watcher.js';

/**
 * engine.unreachable: the store lost the engine's events stream, or could not follow it
 * at all (an engine that is down when the service starts), for the rule's `for` (checked
 * every second). Clears when the store is synced again.
 */
export function watchEngine(center: AlertCenter, store: ContainerReader, engine = 'local'): Watcher {
  const rules = center.rules.rules.filter((r) => r.when === 'engine.unreachable' && (r.engines.length === 0 || r.engines.includes(engine)));
  if (rules.length === 0) return { stop: () => undefined };
  let downSince: number | undefined;
  const onDown = () => {
    downSince ??= Date.now();
  };
  const onUp = () => {
    downSince = undefined;
    for (const rule of rules) center.clear(rule, engine, `engine ${engine} answers again`);
  };
  store.on('lost', onDown);
  store.on('failed', onDown);
  store.on('synced', onUp);
  if (store.isSynced) onUp();
  return {
    tick(now) {
      if (downSince === undefined) return;
      for (const rule of rules) {
        if (now - downSince < rule.forMs) continue;
        center.raise(rule, { key: engine, engine, container: null, group: null, groups: [] }, `engine ${engine} is unreachable`, { since: new Date(downSince).toISOString() });
      }
    },
    stop() {
      store.off('lost', onDown);
      store.off('failed', onDown);
      store.off('synced', onUp);
    },
  };
}
