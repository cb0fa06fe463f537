import { appError } from '../errors.js';
import type { ContainerRecord } from '../docker/container-record.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerReader } from './store-reader.js';

export type WaitVerdict = 'done' | 'pending' | { failed: string };

/**
 * Waits until the store's view of a container satisfies `judge` (which may also declare
 * failure), driven by the store's change events rather than polling the engine. An
 * aborted `signal` ends the wait at once with GROUP_OPERATION_CANCELLED. `engine`, when
 * given, is the container's: only that engine's record and changes count.
 */
export function waitForContainer(
  store: ContainerReader,
  id: string,
  judge: (d: ContainerRecord | undefined) => WaitVerdict,
  timeoutMs: number,
  describeTimeout: (d: ContainerRecord | undefined) => string,
  signal?: AbortSignal,
  engine?: string,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(appError('GROUP_OPERATION_CANCELLED'));
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const verdict = judge(store.record(id, engine));
      if (verdict === 'pending') return false;
      cleanup();
      if (verdict === 'done') resolve();
      else reject(appError('GROUP_OPERATION_FAILED', verdict.failed));
      return true;
    };
    const onChange = (change: { id: string; engine: string }) => {
      if (change.id === id && (engine === undefined || change.engine === engine)) check();
    };
    const onLost = () => {
      cleanup();
      reject(appError('DOCKER_UNAVAILABLE'));
    };
    const onAbort = () => {
      cleanup();
      reject(appError('GROUP_OPERATION_CANCELLED'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(appError('GROUP_OPERATION_FAILED', describeTimeout(store.record(id, engine))));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      store.off('change', onChange);
      store.off('lost', onLost);
      signal?.removeEventListener('abort', onAbort);
    };
    store.on('change', onChange);
    store.on('lost', onLost);
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}

/**
 * Resolves with the stored record once `shows` holds for it: checked now and on every change
 * of that container, so the store's own events loop is what a caller waits for (the store
 * is never written by a request). Resolves undefined when `timeoutMs` passes or the store
 * loses the engine first: the caller then asks the engine itself.
 */
export function whenStored(
  store: ContainerStore,
  id: string,
  shows: (r: ContainerRecord) => boolean,
  timeoutMs: number,
): Promise<ContainerRecord | undefined> {
  if (!store.isSynced) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const settle = (r: ContainerRecord | undefined) => {
      clearTimeout(timer);
      store.off('change', onChange);
      store.off('lost', onLost);
      resolve(r);
    };
    const check = () => {
      const r = store.record(id);
      if (r && shows(r)) settle(r);
    };
    const onChange = (change: { id: string }) => {
      if (change.id === id) check();
    };
    const onLost = () => settle(undefined);
    const timer = setTimeout(onLost, timeoutMs);
    store.on('change', onChange);
    store.on('lost', onLost);
    check();
  });
}
