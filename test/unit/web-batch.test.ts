import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { container as summary, type ContainerSummary } from '../helpers/web-containers.js';
import { applyPending, emptyPending, frameBatch, hasPending, queueChange, queueSnapshot, type FrameScheduler } from '../../web/src/state/batch.js';
import { applyChange, tableFromSnapshot, type ContainerChange } from '../../web/src/state/containers.js';

/** The batch tests' containers: status follows state, as they were written. */
function container(id: string, state: ContainerSummary['state'] = 'running'): ContainerSummary {
  return summary(id, { state, status: state });
}

/** A frame scheduler the test runs by hand: `frame()` is the browser painting. */
function fakeFrames(): FrameScheduler & { frame(): void; waiting(): number } {
  let next = 1;
  const callbacks = new Map<number, () => void>();
  return {
    request(cb) {
      callbacks.set(next, cb);
      return next++;
    },
    cancel(handle) {
      callbacks.delete(handle);
    },
    frame() {
      const now = [...callbacks.values()];
      callbacks.clear();
      for (const cb of now) cb();
    },
    waiting: () => callbacks.size,
  };
}

/** A small deterministic PRNG so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const entries = (m: ReadonlyMap<string, ContainerSummary>) => [...m.entries()].map(([id, c]) => `${id}:${c.state}`);

describe('dashboard live updates, batched per animation frame', () => {
  test('a batch of container events gives the same table, in the same order, as applying them one by one', () => {
    const states = ['running', 'exited', 'paused'] as const;
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      const ids = ['a', 'b', 'c', 'd', 'e'];
      const start = tableFromSnapshot(ids.slice(0, 3).map((id) => container(id)));
      const changes: ContainerChange[] = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => {
        const id = pick(ids);
        const kind = pick(['added', 'updated', 'removed', 'updated'] as const);
        // An update can come without the container (it went away meanwhile).
        const withContainer = kind !== 'removed' && rnd() > 0.1;
        return { kind, id, container: withContainer ? container(id, pick(states)) : undefined };
      });
      const oneByOne = changes.reduce(applyChange, start);
      const pending = emptyPending();
      for (const ch of changes) queueChange(pending, ch);
      assert.deepEqual(entries(applyPending(start, pending)), entries(oneByOne), `seed ${seed}: ${JSON.stringify(changes.map((c) => [c.kind, c.id, c.container?.state]))}`);
      assert.equal(start.size, 3, 'the table before the batch (React state) is not mutated');
    }
  });

  test('a snapshot in a batch replaces the table and drops the changes queued before it; later ones apply on top', () => {
    const pending = emptyPending();
    assert.equal(hasPending(pending), false);
    queueChange(pending, { kind: 'added', id: 'x', container: container('x') });
    queueSnapshot(pending, [container('s1'), container('s2')]);
    queueChange(pending, { kind: 'removed', id: 's1' });
    queueChange(pending, { kind: 'added', id: 'y', container: container('y') });
    assert.equal(hasPending(pending), true);
    assert.deepEqual([...applyPending(tableFromSnapshot([container('old')]), pending).keys()], ['local:s2', 'local:y']);
  });

  test('the batch holds one entry per container however many events arrive (a hidden tab paints no frames)', () => {
    const pending = emptyPending();
    for (let i = 0; i < 10_000; i++) queueChange(pending, { kind: 'updated', id: `c${i % 50}`, container: container(`c${i % 50}`, i % 2 ? 'running' : 'exited') });
    assert.equal(pending.changes.size, 50);
  });

  test('several engines: changes of the same id on two engines are two entries, applied to their own rows', () => {
    const start = tableFromSnapshot([container('x'), { ...container('x'), engine: 'e2' }]);
    const pending = emptyPending();
    queueChange(pending, { kind: 'updated', engine: 'e2', id: 'x', container: { ...container('x', 'exited'), engine: 'e2' } });
    queueChange(pending, { kind: 'removed', engine: 'local', id: 'x' });
    assert.equal(pending.changes.size, 2);
    const next = applyPending(start, pending);
    assert.deepEqual(entries(next), ['e2:x:exited']);
  });

  test('items pushed between two frames are applied together, once, at the frame; nothing is applied without items', () => {
    const frames = fakeFrames();
    const applied: number[][] = [];
    const batch = frameBatch<number[], number>(frames, () => [], (acc, n) => acc.push(n), (acc) => applied.push(acc));
    batch.push(1);
    batch.push(2);
    batch.push(3);
    assert.equal(frames.waiting(), 1, 'one frame asked for, not one per item');
    assert.deepEqual(applied, [], 'nothing applied before the frame');
    frames.frame();
    assert.deepEqual(applied, [[1, 2, 3]]);
    frames.frame();
    assert.deepEqual(applied, [[1, 2, 3]], 'an idle frame applies nothing');
    assert.equal(frames.waiting(), 0, 'and asks for no further frame');
    batch.push(4);
    frames.frame();
    assert.deepEqual(applied, [[1, 2, 3], [4]], 'the next item starts a fresh batch');
  });

  test('flush applies at once and cancels the frame; dispose drops the queue and the frame', () => {
    const frames = fakeFrames();
    const applied: string[] = [];
    const latest = frameBatch<{ v?: string }, string>(frames, () => ({}), (acc, s) => (acc.v = s), (acc) => applied.push(acc.v ?? ''));
    latest.push('s1');
    latest.push('s2');
    latest.flush();
    assert.deepEqual(applied, ['s2'], 'only the newest sample of a batch is applied');
    assert.equal(frames.waiting(), 0);
    latest.push('s3');
    latest.dispose();
    assert.equal(frames.waiting(), 0);
    frames.frame();
    latest.flush();
    assert.deepEqual(applied, ['s2'], 'nothing after dispose');
  });
});
