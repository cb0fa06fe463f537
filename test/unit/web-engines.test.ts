import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { components } from '../../clients/typescript/src/generated/schema.js';
import { ago, engineOutages } from '../../web/src/state/engine-status.js';

type Engine = components['schemas']['Engine'];

function engine(name: string, over: Partial<Engine> = {}): Engine {
  return {
    name,
    url: `unix:///run/${name}.sock`,
    required: false,
    reachable: true,
    synced: true,
    checkedAt: '2026-01-01T10:00:00Z',
    version: '20.10.24',
    apiVersion: '1.41',
    latencyMs: 1.5,
    containers: 3,
    running: 2,
    lastSeen: null,
    lastError: null,
    reconnects: 0,
    ...over,
  };
}

describe('dashboard banner: per-engine status', () => {
  test('only unreachable engines are outages, required first, each with since when (last in sync, else the failure) and why', () => {
    const err = { code: 'DOCKER_UNAVAILABLE', message: 'connect failed', cause: 'ECONNREFUSED', at: '2026-01-01T10:05:00Z' };
    const outages = engineOutages([
      engine('local', { required: true }),
      engine('pi', { reachable: false, synced: false, lastError: { ...err, cause: undefined }, hint: 'Is it on?' }),
      engine('db', { reachable: false, synced: false, required: true, lastSeen: '2026-01-01T10:04:00Z', lastError: err }),
      engine('fresh', { reachable: false, synced: false }),
      // Recovered: its last error is kept by the service, but it is no outage.
      engine('back', { lastError: err }),
    ]);
    assert.deepEqual(outages, [
      { name: 'db', required: true, since: '2026-01-01T10:04:00Z', why: 'ECONNREFUSED', message: 'connect failed' },
      { name: 'fresh', required: false, why: 'no answer yet' },
      { name: 'pi', required: false, since: '2026-01-01T10:05:00Z', why: 'DOCKER_UNAVAILABLE', message: 'connect failed', hint: 'Is it on?' },
    ]);
    assert.deepEqual(engineOutages([engine('local')]), []);
  });

  test('ago is short and coarse', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    assert.equal(ago('2026-01-01T11:59:20Z', now), '40 s ago');
    assert.equal(ago('2026-01-01T11:57:00Z', now), '3 min ago');
    assert.equal(ago('2026-01-01T09:00:00Z', now), '3 h ago');
    assert.equal(ago('2025-12-27T12:00:00Z', now), '5 d ago');
    assert.equal(ago('2026-01-01T12:00:05Z', now), 'just now', 'a clock ahead is not negative');
    assert.equal(ago('garbage', now), '?');
  });
});
