/* global process */
// Preloaded into the service by bench/heap.ts (node --expose-gc --import this): answers on the
// IPC channel with process.memoryUsage() after a full GC, or writes a heap snapshot. Plain JS:
// the service runs from dist/ without tsx. Never part of a deployment.
import { writeHeapSnapshot } from 'node:v8';

if (process.send) {
  process.on('message', (message) => {
    if (message?.type === 'heap') {
      globalThis.gc?.();
      globalThis.gc?.();
      process.send({ type: 'heap', ...process.memoryUsage() });
    } else if (message?.type === 'snapshot') {
      process.send({ type: 'snapshot', path: writeHeapSnapshot(message.path) });
    }
  });
  process.channel?.unref(); // after the listener (which refs it): the channel alone must not keep the service alive
}
