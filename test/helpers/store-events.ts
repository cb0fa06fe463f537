import type { App } from '../../src/app.js';
import type { ChangeFeed } from '../../src/containers/change-feed.js';
import type { ContainerChange, ContainerStore } from '../../src/containers/container-store.js';
import { internalsOf } from '../../src/containers/feature.js';
import { nextEvent, until } from './events.js';

/**
 * The app's container store. Tests reach it only through this function (and the waits
 * below), so that moving it changes one line.
 */
export function storeOf(app: App): ContainerStore {
  return internalsOf(app.containers).store;
}

/** The app's change feed (numbers every store change; /events replays from it), inside the containers feature. */
export function feedOf(app: App): ChangeFeed {
  return internalsOf(app.containers).feed;
}

/**
 * Resolves with the first store change from now on that `match`es; rejects after
 * `timeoutMs` saying what it waited for. Call it before the action, then await it.
 */
export async function waitForStoreChange(app: App, match: (change: ContainerChange) => boolean, timeoutMs: number, what: string): Promise<ContainerChange> {
  const [change] = await nextEvent<[ContainerChange]>(storeOf(app), 'change', match, timeoutMs, what);
  return change;
}

/** Resolves once `condition(store)` holds: checked now and after every store change. */
export function untilStore(app: App, condition: (store: ContainerStore) => boolean, timeoutMs: number, what: string): Promise<void> {
  const store = storeOf(app);
  return until(store, 'change', () => condition(store), timeoutMs, what);
}
