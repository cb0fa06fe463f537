import { appError } from '../errors.js';
import type { EngineContainerDetails } from '../docker/types.js';
import type { ContainerReader } from './store-reader.js';

export type WaitVerdict = 'done' | 'pending' | { failed: string };

/**
 * Waits until the store's view of a container satisfies `judge` (which may also declare
 * failure), driven by the store's change events rather than polling the engine. An
 * aborted `signal` ends the wait at once with GROUP_OPERATION_CANCELLED.
 */
export function waitForContainer(
  store: ContainerReader,
  id: string,
  judge: (d: EngineContainerDetails | undefined) => WaitVerdict,
  timeoutMs: number,
  describeTimeout: (d: EngineContainerDetails | undefined) => string,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(appError('GROUP_OPERATION_CANCELLED'));
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const verdict = judge(store.raw(id));
      if (verdict === 'pending') return false;
      cleanup();
      if (verdict === 'done') resolve();
      else reject(appError('GROUP_OPERATION_FAILED', verdict.failed));
      return true;
    };
    const onChange = (change: { id: string }) => {
      if (change.id === id) check();
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
      reject(appError('GROUP_OPERATION_FAILED', describeTimeout(store.raw(id))));
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
