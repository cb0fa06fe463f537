import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { parseTimeParam } from '../../src/containers/logs/time-params.js';

// 2023-11-14T22:13:20Z
const NOW_MS = 1_700_000_000_000;
const NOW_S = 1_700_000_000;

describe('parseTimeParam', () => {
  test('Unix seconds, whole or with a fraction', () => {
    assert.equal(parseTimeParam('since', '1700000000', NOW_MS), 1_700_000_000);
    assert.equal(parseTimeParam('since', '1700000000.25', NOW_MS), 1_700_000_000.25);
    assert.equal(parseTimeParam('since', '0', NOW_MS), 0);
    assert.equal(parseTimeParam('since', ' 42 ', NOW_MS), 42, 'trimmed');
  });

  test('RFC 3339 dates, with Z, an offset or fractional seconds', () => {
    assert.equal(parseTimeParam('since', '2024-01-02T03:04:05Z', NOW_MS), Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
    assert.equal(parseTimeParam('since', '2024-01-02T03:04:05+01:00', NOW_MS), Date.UTC(2024, 0, 2, 2, 4, 5) / 1000);
    assert.equal(parseTimeParam('since', '2024-01-02T03:04:05.5Z', NOW_MS), Date.UTC(2024, 0, 2, 3, 4, 5, 500) / 1000);
    assert.equal(parseTimeParam('since', '2024-01-02', NOW_MS), Date.UTC(2024, 0, 2) / 1000);
  });

  test('durations count back from now', () => {
    assert.equal(parseTimeParam('since', '30s', NOW_MS), NOW_S - 30);
    assert.equal(parseTimeParam('since', '10m', NOW_MS), NOW_S - 600);
    assert.equal(parseTimeParam('since', '2h', NOW_MS), NOW_S - 7200);
    assert.equal(parseTimeParam('since', '1d', NOW_MS), NOW_S - 86_400);
    assert.equal(parseTimeParam('since', '1.5h', NOW_MS), NOW_S - 5400);
    assert.equal(parseTimeParam('since', '0s', NOW_MS), NOW_S);
  });

  test('a duration result is whole seconds', () => {
    assert.equal(parseTimeParam('since', '10m', NOW_MS + 999), NOW_S - 600);
    assert.equal(parseTimeParam('since', '1500ms', NOW_MS), NOW_S - 2);
  });

  test('invalid values are a VALIDATION_ERROR naming the parameter', () => {
    for (const value of ['', 'yesterday', '10x', '-5', '10 m', 'm10', '2024-13-45', '1e9', '2024/01/02', 'now']) {
      let caught: unknown;
      try {
        parseTimeParam('until', value, NOW_MS);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof AppError, `expected ${JSON.stringify(value)} to be refused`);
      assert.equal(caught.code, 'VALIDATION_ERROR');
      assert.equal(caught.status, 400);
      assert.match(caught.message, /^until /);
    }
  });
});
