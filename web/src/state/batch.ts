// Pure batching of live updates (no React, no DOM): the unit tests load this file under the
// service's NodeNext settings (test/unit/web-batch.test.ts), hence the .js paths.
import type { components } from '../../../clients/typescript/src/generated/schema.js';
import { containerKey, tableFromSnapshot, type ContainerChange } from './containers.js';

type ContainerSummary = components['schemas']['ContainerSummary'];

/**
 * At 1,000 containers the streams can deliver far more updates than the screen shows
 * (dozens of events and stats samples per second). Each update applied on its own means a
 * new table and a React render per message; instead the hooks in live.ts accumulate them
 * here and apply the lot once per animation frame.
 */

/** Where a container ends up after the changes queued for it. */
export interface PendingEntry {
  /** The container after its last change; null once removed. */
  container: ContainerSummary | null;
  /** It was removed and came back in this batch: it goes to the end of the table. */
  moved: boolean;
}

/** Container events waiting for the next frame. */
export interface PendingChanges {
  /** A snapshot that arrived in this batch: it replaces the table before the changes apply. */
  snapshot?: readonly ContainerSummary[];
  /**
   * One entry per container, in the order they would take their place in the table. Keyed
   * by `{engine}:{id}` (containerKey) so the batch stays bounded by the number of containers however long frames are
   * held back (a hidden tab runs none).
   */
  changes: Map<string, PendingEntry>;
}

export function emptyPending(): PendingChanges {
  return { changes: new Map() };
}

/** A snapshot replaces everything queued before it. */
export function queueSnapshot(pending: PendingChanges, list: readonly ContainerSummary[]): void {
  pending.snapshot = list;
  pending.changes.clear();
}

/**
 * Folds a change into the batch so that applying it gives what applyChange one change at a
 * time gives, order of the table included (rows sorted by state or group keep that order
 * among equals): a container set again after a removal moves to the end, others stay put.
 */
export function queueChange(pending: PendingChanges, change: ContainerChange): void {
  const key = containerKey(change);
  const earlier = pending.changes.get(key);
  const container = change.kind === 'removed' ? null : (change.container ?? null);
  if (container === null) {
    pending.changes.set(key, { container: null, moved: false });
  } else if (earlier && earlier.container === null) {
    pending.changes.delete(key); // re-inserted last: that is where it now goes
    pending.changes.set(key, { container, moved: true });
  } else {
    pending.changes.set(key, { container, moved: earlier?.moved ?? false });
  }
}

export function hasPending(pending: PendingChanges): boolean {
  return pending.snapshot !== undefined || pending.changes.size > 0;
}

/** A new table with the whole batch applied: one copy of the table however many changes. */
export function applyPending(table: ReadonlyMap<string, ContainerSummary>, pending: PendingChanges): Map<string, ContainerSummary> {
  const next = pending.snapshot ? tableFromSnapshot(pending.snapshot) : new Map(table);
  for (const [key, { container, moved }] of pending.changes) {
    if (container === null || moved) next.delete(key);
    if (container !== null) next.set(key, container);
  }
  return next;
}

/** What schedules the flush: requestAnimationFrame in the browser, a fake in the tests. */
export interface FrameScheduler {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

export interface FrameBatch<T> {
  /** Adds an item; the first item after a flush asks for a frame. */
  push(item: T): void;
  /** Applies what is queued now (nothing when empty). */
  flush(): void;
  /** Drops what is queued and the frame asked for (the stream closed). */
  dispose(): void;
}

/**
 * Collects items and hands them to `apply` together, at most once per frame: `add` folds an
 * item into the accumulator, `apply` receives it and a fresh one starts.
 */
export function frameBatch<A, T>(scheduler: FrameScheduler, start: () => A, add: (acc: A, item: T) => void, apply: (acc: A) => void): FrameBatch<T> {
  let acc = start();
  let count = 0;
  let frame: number | undefined;
  const flush = () => {
    frame = undefined;
    if (count === 0) return;
    const ready = acc;
    acc = start();
    count = 0;
    apply(ready);
  };
  return {
    push(item) {
      add(acc, item);
      count++;
      frame ??= scheduler.request(flush);
    },
    flush() {
      if (frame !== undefined) scheduler.cancel(frame);
      flush();
    },
    dispose() {
      if (frame !== undefined) scheduler.cancel(frame);
      frame = undefined;
      acc = start();
      count = 0;
    },
  };
}
