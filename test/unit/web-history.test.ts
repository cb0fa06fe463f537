import assert from 'node:assert/strict';
import { test } from 'node:test';
import { niceMax, segments } from '../../web/src/components/history-path.js';

const frame = { width: 100, height: 52, from: 0, to: 100_000, max: 10 };

test('history chart: a missing bucket breaks the line instead of drawing across it', () => {
  const points = [0, 10_000, 20_000, 60_000, 70_000].map((time) => ({ time, value: 5 }));
  const lines = segments(points, 10_000, frame);
  assert.equal(lines.length, 2);
  assert.equal(lines[0], '0.0,26.0 10.0,26.0 20.0,26.0');
  assert.equal(lines[1], '60.0,26.0 70.0,26.0');
});

test('history chart: a lone point is drawn one bucket wide; values are clamped to the scale', () => {
  assert.deepEqual(segments([{ time: 50_000, value: 20 }], 10_000, frame), ['50.0,1.0 60.0,1.0']);
  assert.deepEqual(segments([], 10_000, frame), []);
});

test('history chart: the scale top reads well (1, 2 or 5 × 10^n, at least 1)', () => {
  assert.equal(niceMax([]), 1);
  assert.equal(niceMax([0.3]), 1);
  assert.equal(niceMax([3.2]), 5);
  assert.equal(niceMax([120]), 200);
  assert.equal(niceMax([1_500_000_000]), 2_000_000_000);
  assert.equal(niceMax([100]), 100);
});
