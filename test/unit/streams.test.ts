import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { StreamLimiter } from '../../src/http/sse/stream-limiter.js';
import { ChangeFeed } from '../../src/containers/change-feed.js';
import type { ContainerChange, ContainerStore } from '../../src/containers/container-store.js';
import { mapLimit } from '../../src/lib/concurrency.js';
import { totalsOf } from '../../src/containers/stats/stats.js';
import { AppError } from '../../src/errors.js';

function change(n: number): ContainerChange {
  return { kind: 'updated', engine: 'local', action: 'start', id: `id${n}`, name: `c${n}`, time: new Date(0).toISOString(), groups: [] };
}

describe('StreamLimiter', () => {
  test('caps streams per caller and frees a slot on release (once)', () => {
    const limiter = new StreamLimiter(2);
    const a = limiter.acquire('1.2.3.4');
    limiter.acquire('1.2.3.4');
    assert.throws(() => limiter.acquire('1.2.3.4'), (err: unknown) => err instanceof AppError && err.code === 'TOO_MANY_STREAMS' && err.status === 429);
    limiter.acquire('5.6.7.8');
    a();
    a();
    assert.equal(limiter.count('1.2.3.4'), 1, 'a double release frees one slot only');
    limiter.acquire('1.2.3.4');
    assert.equal(limiter.total, 3);
  });
});

describe('ChangeFeed', () => {
  test('numbers changes and replays those after a given id', () => {
    const store = new EventEmitter() as unknown as ContainerStore;
    const feed = new ChangeFeed(store, 3);
    for (let i = 1; i <= 5; i++) (store as unknown as EventEmitter).emit('change', change(i));
    assert.equal(feed.lastSeq, 5);
    assert.deepEqual(feed.since(3)?.map((e) => e.seq), [4, 5]);
    assert.deepEqual(feed.since(2)?.map((e) => e.seq), [3, 4, 5]);
    assert.equal(feed.since(1), undefined, 'seq 2 was dropped from the buffer: resync needed');
    assert.deepEqual(feed.since(5), []);
    assert.deepEqual(feed.since(99), []);
  });
});

describe('mapLimit', () => {
  test('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 * (8 - n)));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [10, 20, 30, 40, 50, 60, 70]);
    assert.equal(peak, 3);
  });
});

describe('totalsOf', () => {
  test('adds usage up and treats an unknown CPU % as 0', () => {
    const u = (cpu: number | null, mem: number) => ({
      read: '',
      cpuPercent: cpu,
      onlineCpus: 2,
      memory: { usage: mem, limit: 100, percent: 0 },
      network: { rxBytes: 1, txBytes: 2 },
      blockIo: { readBytes: 3, writeBytes: 4 },
      pids: 5,
    });
    assert.deepEqual(totalsOf([u(12.345, 10), u(null, 20), u(0.01, 30)]), {
      containers: 3,
      cpuPercent: 12.36,
      memoryUsage: 60,
      rxBytes: 3,
      txBytes: 6,
      readBytes: 9,
      writeBytes: 12,
      pids: 15,
    });
  });
});
