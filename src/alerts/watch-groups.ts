import type { ContainerReader } from '../containers/store-reader.js';
import type { GroupCatalog } from '../groups/catalog.js';
import type { AlertCenter } from './alert-center.js';
import { inScope } from './scope.js';
import type { Watcher } from './watcher.js';

/**
 * group.degraded: a member is not running (exited, restarting, paused…) or is unhealthy
 * while the group is meant to be up. "Meant to be up" is: at least one member runs (an
 * operator who stopped the whole group does not get paged) and no start or stop of the
 * group is under way (a group operation takes members down and up on purpose). A rule's
 * `for` is a grace period: the group must stay degraded that long. Clears when every
 * member runs and none is unhealthy, or when the whole group is down. Members come from
 * every engine; the alert's `engine` names the engine(s) of the degraded ones.
 */
export function watchGroups(center: AlertCenter, store: ContainerReader, catalog: GroupCatalog, isBusy: (group: string) => boolean): Watcher {
  const rules = center.rules.rules.filter((r) => r.when === 'group.degraded');
  if (rules.length === 0) return { stop: () => undefined };
  const since = new Map<string, number>();
  let scheduled = false;

  const evaluate = (now = Date.now()) => {
    scheduled = false;
    if (!store.isSynced) return;
    const all = store.summaries();
    for (const rule of rules) {
      const names = rule.groups.length > 0 ? rule.groups : catalog.groups.map((g) => g.name);
      for (const name of names) {
        const def = catalog.get(name);
        if (!def) continue;
        const members = catalog.membersOf(def, all).map((m) => m.container).filter((c) => inScope({ ...rule, groups: [] }, c));
        // A member on an engine out of sync has no known state: the group keeps its verdict (and grace) until it is back.
        if (members.some((c) => c.stale)) continue;
        const bad = members.filter((c) => c.state !== 'running' || c.health === 'unhealthy');
        const meantUp = members.some((c) => c.state === 'running') && !isBusy(name);
        const id = `${rule.name}\u0000${name}`;
        if (bad.length === 0 || !meantUp) {
          since.delete(id);
          if (bad.length === 0 || members.every((c) => c.state !== 'running')) {
            center.clear(rule, name, bad.length === 0 ? `every member of ${name} is up` : `${name} is stopped`);
          }
          continue;
        }
        const first = since.get(id) ?? now;
        since.set(id, first);
        if (now - first < rule.forMs) continue;
        const several = new Set(members.map((c) => c.engine)).size > 1;
        const what = bad.map((c) => `${several ? `${c.engine}:` : ''}${c.name} ${c.health === 'unhealthy' && c.state === 'running' ? 'unhealthy' : c.state}`);
        const engines = [...new Set(bad.map((c) => c.engine))].sort();
        // `engine`: the engine(s) of the degraded members (names never hold a comma); who sees it must see each of them.
        center.raise(rule, { key: name, engine: engines.join(','), container: null, group: name, groups: [name] }, `group ${name} degraded: ${what.join(', ')}`, {
          members: members.length,
          engines,
          degraded: bad.map((c) => ({ name: c.name, engine: c.engine, state: c.state, health: c.health })),
        });
      }
    }
  };

  // Changes come in bursts (a restart is five of them): one evaluation per turn of the loop.
  const onChange = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => evaluate());
  };
  store.on('change', onChange);
  store.on('synced', onChange);
  return {
    tick: (now) => evaluate(now),
    stop() {
      store.off('change', onChange);
      store.off('synced', onChange);
    },
  };
}
