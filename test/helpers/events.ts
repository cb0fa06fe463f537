import type { EventEmitter } from 'node:events';
import { watch } from 'node:fs';

/** Any emitter (typed ones included): the helpers only add and remove one listener. */
type Emitter = Pick<EventEmitter, 'on' | 'off'>;

/**
 * Resolves with the arguments of the first `name` event of `emitter` from now on that
 * `match`es; rejects after `timeoutMs` saying what it waited for. Call it before the action
 * that causes the event, then await it.
 */
export function nextEvent<A extends unknown[] = unknown[]>(emitter: Emitter, name: string, match: (...args: A) => boolean, timeoutMs: number, what: string): Promise<A> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      if (!match(...(args as A))) return;
      done();
      resolve(args as A);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      emitter.off(name, listener);
    };
    emitter.on(name, listener);
  });
}

/**
 * Resolves once `condition` holds: checked now and again after every `name` event of
 * `emitter` (e.g. the container store's `change`); rejects after `timeoutMs` saying what
 * it waited for.
 */
export async function until(emitter: Emitter, name: string, condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (condition()) return;
  await nextEvent(emitter, name, () => condition(), timeoutMs, what);
}

/**
 * Resolves once `condition` holds: checked now and after every change fs.watch reports in
 * `dir` (a file written or created there, e.g. a wrapper's spawn log); rejects after
 * `timeoutMs` saying what it waited for.
 */
export async function untilInDir(dir: string, condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  // Watch first, then check: a write between the two cannot be missed.
  const watcher = watch(dir);
  try {
    await until(watcher, 'change', condition, timeoutMs, what);
  } finally {
    watcher.close();
  }
}
