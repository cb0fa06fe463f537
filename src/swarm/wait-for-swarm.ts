import { appError } from '../errors.js';
import type { SwarmStore } from './swarm-store.js';

export type SwarmVerdict = 'done' | 'pending' | { failed: string };

/**
 * Waits until `judge` holds for the store's picture: checked now and after every re-read
 * (an event, a converging task, a resync), never by polling of its own. Rejects
 * GROUP_OPERATION_FAILED with `describeTimeout()` at the deadline, DOCKER_UNAVAILABLE when
 * the engine goes away, GROUP_OPERATION_CANCELLED when `signal` aborts.
 */
export function waitForSwarm(store: SwarmStore, judge: () => SwarmVerdict, timeoutMs: number, describeTimeout: () => string, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(appError('GROUP_OPERATION_CANCELLED'));
  return new Promise((resolve, reject) => {
    const finish = (err?: unknown) => {
      clearTimeout(timer);
      store.off('synced', check);
      store.off('failed', onFailed);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    function check(): void {
      const verdict = judge();
      if (verdict === 'done') finish();
      else if (verdict !== 'pending') finish(appError('GROUP_OPERATION_FAILED', verdict.failed));
    }
    const onFailed = () => finish(appError('DOCKER_UNAVAILABLE'));
    const onAbort = () => finish(appError('GROUP_OPERATION_CANCELLED'));
    const timer = setTimeout(() => finish(appError('GROUP_OPERATION_FAILED', describeTimeout())), timeoutMs);
    store.on('synced', check);
    store.on('failed', onFailed);
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
