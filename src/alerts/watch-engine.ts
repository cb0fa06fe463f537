import type { EngineUnit } from '../containers/feature.js';
import type { AlertCenter } from './alert-center.js';
import type { Watcher } from './watcher.js';

/** What one engine's watch needs: its name and its own store (each engine's store follows only that engine). */
export type WatchedEngine = Pick<EngineUnit, 'name'> & { store: Pick<EngineUnit['store'], 'isSynced' | 'on' | 'off'> };

/**
 * engine.unreachable, per engine: that engine's own store lost its events stream, or could
 * not follow it at all (an engine that is down when the service starts), for the rule's
 * `for` (checked every second). Clears when that store is synced again. Each engine is its
 * own subject (key and `engine` = its name): the merged store says `lost` only once every
 * engine is gone, so it cannot tell one engine of several going away.
 */
export function watchEngine(center: AlertCenter, engines: readonly WatchedEngine[]): Watcher {
  const all = center.rules.rules.filter((r) => r.when === 'engine.unreachable');
  const stops: (() => void)[] = [];
  const ticks: ((now: number) => void)[] = [];
  for (const unit of engines) {
    const engine = unit.name;
    const rules = all.filter((r) => r.engines.length === 0 || r.engines.includes(engine));
    if (rules.length === 0) continue;
    let downSince: number | undefined;
    const onDown = () => {
      downSince ??= Date.now();
    };
    const onUp = () => {
      downSince = undefined;
      for (const rule of rules) center.clear(rule, engine, `engine ${engine} answers again`);
    };
    unit.store.on('lost', onDown);
    unit.store.on('failed', onDown);
    unit.store.on('synced', onUp);
    if (unit.store.isSynced) onUp();
    ticks.push((now) => {
      if (downSince === undefined) return;
      for (const rule of rules) {
        if (now - downSince < rule.forMs) continue;
        center.raise(rule, { key: engine, engine, container: null, group: null, groups: [] }, `engine ${engine} is unreachable`, { since: new Date(downSince).toISOString() });
      }
    });
    stops.push(() => {
      unit.store.off('lost', onDown);
      unit.store.off('failed', onDown);
      unit.store.off('synced', onUp);
    });
  }
  // A firing alert of an engine no longer configured (ENGINES_FILE changed across a restart) has nobody to clear it.
  const names = new Set(engines.map((u) => u.name));
  for (const rule of all) {
    for (const a of center.firingOf(rule)) if (!names.has(a.subject)) center.clear(rule, a.subject, `engine ${a.subject} is no longer configured`);
  }
  return {
    tick: (now) => {
      for (const tick of ticks) tick(now);
    },
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}
