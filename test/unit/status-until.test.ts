import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from '../../src/docker/container-record.js';
import { statusText, statusValidUntil } from '../../src/containers/container-view.js';
import { ContainerSnapshot } from '../../src/containers/store-snapshot.js';

const start = Date.parse('2024-05-01T10:00:00Z');
const running = { id: 'a'.repeat(64), name: 'web', state: 'running', running: true, paused: false, restarting: false, startedAt: '2024-05-01T10:00:00Z', finishedAt: null, exitCode: 0, health: null, ports: [], labels: {}, env: [] } as unknown as ContainerRecord;
const exited = { ...running, state: 'exited', running: false, finishedAt: '2024-05-01T10:00:00Z' } as ContainerRecord;
const created = { ...running, state: 'created', running: false, startedAt: null } as ContainerRecord;

/**
 * The store re-derives a status text only when statusValidUntil says it may have moved on:
 * the text must be the same up to that moment, for every elapsed time (seconds, minutes,
 * hours), and the moment must come after `now`.
 */
test('statusValidUntil: the status text holds until then and never past a change', () => {
  for (const r of [running, exited]) {
    for (const elapsed of [0, 1, 499, 500, 999, 1_500, 59_400, 59_600, 89_999, 3_599_000, 5_400_000, 86_400_000 * 3 + 123]) {
      const now = start + elapsed;
      const until = statusValidUntil(r, now);
      assert.ok(until > now, `${r.state} at +${elapsed}: ${until} is after now`);
      const text = statusText(r, now);
      for (const t of [now + 1, Math.floor((now + until) / 2), until - 1]) if (t < until) assert.equal(statusText(r, t), text, `${r.state}: same text at +${t - start}`);
      // At most one second on: never longer than the one-second step of the shortest text.
      assert.ok(until - now <= 1_000);
    }
  }
  assert.equal(statusValidUntil(created, start), Number.POSITIVE_INFINITY);
});

test('snapshot: summaries are made once per change and shared; the generation counts changes and status ticks', () => {
  const snapshot = new ContainerSnapshot(() => []);
  const g0 = snapshot.generation(start);
  snapshot.set(running, start);
  const first = snapshot.summaries(start + 100);
  assert.equal(snapshot.summaries(start + 200), first, 'same array while nothing changed');
  assert.equal(first[0], snapshot.summary(running.id, start + 300), 'same view object');
  assert.ok(Object.isFrozen(first[0]));
  const g1 = snapshot.generation(start + 300);
  assert.ok(g1 > g0);
  // The text moves on with the clock ("Less than a second" → "1 second"): a new generation.
  const later = snapshot.summaries(start + 1_600);
  assert.notEqual(later[0]?.status, first[0]?.status);
  assert.ok(snapshot.generation(start + 1_600) > g1);
  snapshot.delete(running.id);
  assert.equal(snapshot.summaries(start + 1_700).length, 0);
});

test('snapshot: exact() finds a full id or a name through its indexes, following renames and removals', () => {
  const snapshot = new ContainerSnapshot(() => []);
  const other = { ...running, id: 'b'.repeat(64), name: 'a'.repeat(64) } as ContainerRecord;
  snapshot.set(running, start);
  snapshot.set(other, start);
  const ids = (ref: string) => snapshot.exact(ref).map((c) => c.id).sort();
  assert.deepEqual(ids('web'), [running.id]);
  // A name equal to another container's full id: both are exact matches (resolveContainer ranks the id first).
  assert.deepEqual(ids('a'.repeat(64)), [running.id, other.id].sort());
  assert.deepEqual(ids('aaaa'), [], 'a prefix is never exact');
  snapshot.set({ ...running, name: 'web-2' } as ContainerRecord, start);
  assert.deepEqual(ids('web'), [], 'the old name is gone after a rename');
  assert.deepEqual(ids('web-2'), [running.id]);
  snapshot.delete(running.id);
  assert.deepEqual(ids('web-2'), []);
  assert.deepEqual(ids(running.id), [other.id], 'the removed id no longer matches; the other container still has it as its name');
});
