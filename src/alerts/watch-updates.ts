import type { ContainerChange } from '../containers/container-store.js';
import type { ContainerReader } from '../containers/store-reader.js';
import type { UpdateMark, UpdateMarkFeed } from '../containers/update-marks.js';
import type { AlertCenter } from './alert-center.js';
import type { AlertRule } from './rules-load.js';
import { containerSubject, inScope } from './scope.js';
import type { Watcher } from './watcher.js';

/**
 * update.available, from the image update checks (asked for or scheduled; the updates
 * feature writes each result as the container's update mark). Fires when a check finds
 * that the registry serves another image for the container's tag; clears when a check
 * finds it current again, or when the container is gone (removed, or re-created by an
 * update: the new container is checked on its own). A check that could not tell
 * (`updateAvailable: null`: registry unreachable…) changes nothing.
 */
export function watchUpdates(center: AlertCenter, store: ContainerReader, marks: UpdateMarkFeed): Watcher {
  const rules = center.rules.rules.filter((r) => r.when === 'update.available');
  if (rules.length === 0) return { stop: () => undefined };

  /** Firing alerts are found by engine and container id: the container may be gone from the store, with its engine. */
  const clearGone = (rule: AlertRule, engine: string, id: string, why: string) => {
    for (const a of center.firingOf(rule)) if (a.container?.id === id && a.engine === engine) center.clear(rule, a.subject, `${a.container.name} ${why}`);
  };

  const onMark = (engine: string, id: string, mark: UpdateMark | undefined) => {
    const c = store.summary(id, undefined, engine);
    for (const rule of rules) {
      if (!mark || !c) {
        clearGone(rule, engine, id, c ? 'was re-created by an update' : 'was removed');
        continue;
      }
      if (!inScope(rule, c)) continue;
      const subject = containerSubject(c);
      const details = { image: c.image, currentDigest: mark.currentDigest, latestDigest: mark.latestDigest, checkedAt: mark.checkedAt };
      if (mark.updateAvailable === true) center.raise(rule, subject, `${c.name}: a newer image is available for ${c.image}`, details);
      else if (mark.updateAvailable === false) center.clear(rule, subject.key, `${c.name} runs the current image of ${c.image}`, details);
    }
  };

  const onChange = (change: ContainerChange) => {
    if (!change.container) for (const rule of rules) clearGone(rule, change.engine, change.id, 'was removed');
  };

  /** After a restart of the service or a resync: a firing alert whose container is gone clears. */
  const reconcile = () => {
    for (const rule of rules) {
      for (const a of center.firingOf(rule)) if (a.container && !store.summary(a.container.id, undefined, a.engine)) center.clear(rule, a.subject, `${a.container.name} is gone`);
    }
  };

  const unsubscribe = marks.subscribe(onMark);
  store.on('change', onChange);
  store.on('synced', reconcile);
  if (store.isSynced) reconcile();
  return {
    stop() {
      unsubscribe();
      store.off('change', onChange);
      store.off('synced', reconcile);
    },
  };
}
