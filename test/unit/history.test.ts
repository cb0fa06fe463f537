import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ContainerUsage } from '../../src/containers/schemas.js';
import type { ContainerSummary } from '../../src/containers/container-view.js';
import { HistoryStore } from '../../src/history/history-store.js';
import { HistoryRecorder } from '../../src/history/recorder.js';
import { RateTracker, roundRows, type Observed } from '../../src/history/rounds.js';
import { bucketOf, checkTiers, parseResolution, pickTier, rowsPerSeries, type Tier } from '../../src/history/tiers.js';
import { openHistoryDatabase } from '../../src/storage/history-database.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const TIERS: Tier[] = [
  { widthMs: 10 * S, retentionMs: 24 * H },
  { widthMs: MIN, retentionMs: 7 * 24 * H },
];

function usage(at: number, cpu: number, memory: number, rx = 0, tx = 0): ContainerUsage {
  return {
    read: new Date(at).toISOString(),
    cpuPercent: cpu,
    onlineCpus: 2,
    memory: { usage: memory, limit: 1_000_000, percent: 0 },
    network: { rxBytes: rx, txBytes: tx },
    blockIo: { readBytes: 0, writeBytes: 0 },
    pids: 1,
  };
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function newStore(tiers = TIERS): HistoryStore {
  const dir = mkdtempSync(join(tmpdir(), 'gdm-history-unit-'));
  dirs.push(dir);
  return new HistoryStore(openHistoryDatabase(dir), tiers);
}

describe('history tiers', () => {
  test('buckets start at multiples of their width', () => {
    assert.equal(bucketOf(125_432, 10 * S), 120_000);
    assert.equal(bucketOf(120_000, 10 * S), 120_000);
    assert.equal(bucketOf(179_999, MIN), 120_000);
  });

  test('auto picks the finest tier that still keeps since; an explicit width must be a tier', () => {
    const now = 10 * 24 * H;
    assert.equal(pickTier(TIERS, now - H, now, 'auto'), 0);
    assert.equal(pickTier(TIERS, now - 23 * H, now, 'auto'), 0);
    assert.equal(pickTier(TIERS, now - 25 * H, now, 'auto'), 1);
    assert.equal(pickTier(TIERS, now - 30 * 24 * H, now, 'auto'), 1, 'older than every tier: the coarsest');
    assert.equal(pickTier(TIERS, now - H, now, MIN), 1);
    assert.equal(pickTier(TIERS, now - H, now, 5 * S), undefined);
    assert.equal(parseResolution('10s'), 10 * S);
    assert.equal(parseResolution('1m'), MIN);
    assert.equal(parseResolution('auto'), 'auto');
    assert.equal(parseResolution('10 s'), undefined);
  });

  test('tiers must each be wider, a multiple, and kept as long; rows per series are bounded', () => {
    checkTiers(TIERS);
    assert.throws(() => checkTiers([TIERS[0] as Tier, { widthMs: 15 * S, retentionMs: 7 * 24 * H }]));
    assert.throws(() => checkTiers([TIERS[0] as Tier, { widthMs: MIN, retentionMs: H }]));
    assert.equal(rowsPerSeries(TIERS), 8641 + 10081);
  });
});

describe('history rounds', () => {
  const c = (id: string, groups: string[], u: ContainerUsage): Observed => ({ engine: 'local', id, name: `n-${id}`, groups, usage: u });

  test('a group row is the exact sum of its members; a container in two groups counts in both', () => {
    const rows = roundRows([c('a', ['g1'], usage(0, 1.25, 100)), c('b', ['g1', 'g2'], usage(0, 2.5, 300)), c('x', [], usage(0, 9, 9))], new RateTracker());
    const g1 = rows.find((r) => r.series.kind === 'group' && r.series.key === 'g1');
    const g2 = rows.find((r) => r.series.kind === 'group' && r.series.key === 'g2');
    assert.deepEqual([g1?.value.cpu, g1?.value.memory], [375, 400]);
    assert.deepEqual([g2?.value.cpu, g2?.value.memory], [250, 300]);
    assert.equal(rows.filter((r) => r.series.kind === 'container').length, 3);
    assert.equal(rows.length, 5);
  });

  test('network rates come from counters between rounds; a counter reset gives no rate', () => {
    const rates = new RateTracker();
    const first = roundRows([c('a', ['g'], usage(0, 0, 1, 1000, 500))], rates);
    assert.equal(first[0]?.value.rx, null, 'nothing to compare with yet');
    const second = roundRows([c('a', ['g'], usage(10 * S, 0, 1, 21_000, 1500))], rates);
    assert.deepEqual([second[0]?.value.rx, second[0]?.value.tx], [2000, 100]);
    assert.deepEqual([second[1]?.value.rx, second[1]?.value.tx], [2000, 100], 'the group sums the known rates');
    const restarted = roundRows([c('a', ['g'], usage(20 * S, 0, 1, 10, 10))], rates);
    assert.equal(restarted[0]?.value.rx, null);
  });
});

describe('history store', () => {
  const rows = (cpu: number, memory: number) => roundRows([{ engine: 'local', id: 'c1', name: 'one', groups: ['g'], usage: usage(0, cpu, memory) }], new RateTracker());

  test('each round lands in its fine bucket; a coarse bucket averages the rounds within it', () => {
    const store = newStore();
    const t0 = 100 * MIN;
    for (let i = 0; i < 6; i++) store.write(t0 + i * 10 * S, rows(i, 1000 * (i + 1)), t0 + i * 10 * S);
    const series = store.series('container', 'local', 'c1');
    assert.ok(series);
    const fine = store.points(series.id, 0, t0, t0 + MIN);
    assert.deepEqual(fine.map((p) => p.time - t0), [0, 10, 20, 30, 40, 50].map((s) => s * S));
    assert.deepEqual(fine.map((p) => p.cpuPercent), [0, 1, 2, 3, 4, 5]);
    const coarse = store.points(series.id, 1, t0, t0 + MIN);
    assert.equal(coarse.length, 1);
    assert.equal(coarse[0]?.cpuPercent, 2.5);
    assert.equal(coarse[0]?.memoryBytes, 3500);
    assert.equal(coarse[0]?.memoryLimit, 1_000_000);
    const group = store.series('group', '*', 'g');
    assert.equal(store.points(group?.id ?? -1, 1, t0, t0).length, 1);
  });

  test('pruning drops each tier past its retention, then series not seen for the longest one', () => {
    const store = newStore();
    const t0 = 1000 * H;
    store.write(t0, rows(1, 1), t0);
    store.write(t0 + 10 * S, rows(1, 1), t0 + 10 * S);
    assert.deepEqual(store.counts(), { series: 2, points: 6 }, 'container + group, 2 fine + 1 coarse each');
    assert.deepEqual(store.prune(t0 + 24 * H), { points: 0, series: 0 }, 'a day later the fine buckets are still in');
    assert.deepEqual(store.prune(t0 + 24 * H + 20 * S), { points: 4, series: 0 }, 'then only the fine ones go');
    assert.deepEqual(store.counts(), { series: 2, points: 2 });
    assert.deepEqual(store.prune(t0 + 7 * 24 * H + MIN), { points: 2, series: 2 }, 'after a week everything goes');
    assert.deepEqual(store.counts(), { series: 0, points: 0 });
    store.write(t0 + 8 * 24 * H, rows(1, 1), t0 + 8 * 24 * H);
    assert.equal(store.counts().series, 2, 'a series seen again is recreated (the id cache was dropped)');
  });
});

describe('history recorder', () => {
  const summary = (id: string, name: string, state = 'running', groups = ['g']) => ({ id, name, state, groups }) as unknown as ContainerSummary;

  test('a round samples running containers (capped, by name) into the bucket ending at its boundary', async () => {
    let now = 50 * MIN;
    const asked: string[][] = [];
    const store = newStore();
    const reader = { isSynced: true, summaries: () => [summary('c3', 'zeta'), summary('c1', 'alpha'), summary('c2', 'beta'), summary('c9', 'off', 'exited')] };
    const stats = {
      background: async (ids: readonly string[]) => {
        asked.push([...ids]);
        return new Map(ids.map((id) => [id, usage(now, 1, 10)]));
      },
    };
    const warnings: string[] = [];
    const recorder = new HistoryRecorder(store, reader, stats, { maxContainers: 2, pruneEveryMs: MIN, now: () => now }, { warn: (_o, m) => warnings.push(m) });
    now += 10 * S + 3;
    const flush = await recorder.round(50 * MIN + 10 * S);
    assert.deepEqual(asked, [['c1', 'c2']]);
    assert.equal(flush?.time, 50 * MIN);
    assert.deepEqual(flush?.groups, ['g']);
    assert.equal(warnings.length, 1);
    const group = store.series('group', '*', 'g');
    assert.deepEqual(store.points(group?.id ?? -1, 0, 0, now).map((p) => [p.time, p.cpuPercent, p.memoryBytes]), [[50 * MIN, 2, 20]]);
  });

  test('no round before the store is synced', async () => {
    const store = newStore();
    let called = false;
    const recorder = new HistoryRecorder(
      store,
      { isSynced: false, summaries: () => [] },
      { background: async () => ((called = true), new Map()) },
      { maxContainers: 10, pruneEveryMs: MIN, now: () => 0 },
      { warn: () => undefined },
    );
    assert.equal(await recorder.round(10 * S), undefined);
    assert.equal(called, false);
  });
});

describe('history config', () => {
  test('HISTORY_* build the tiers; a coarse width that is not a larger multiple, or a shorter coarse retention, is refused', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.js');
    assert.deepEqual(loadConfig({}).history, { enabled: true, maxContainers: 500, tiers: TIERS });
    assert.equal(loadConfig({ HISTORY_ENABLED: 'false' }).history.enabled, false);
    assert.throws(() => loadConfig({ HISTORY_COARSE_INTERVAL_MS: '15000' }), (e: unknown) => e instanceof ConfigError && e.variable === 'HISTORY_COARSE_INTERVAL_MS');
    assert.throws(() => loadConfig({ HISTORY_COARSE_INTERVAL_MS: '10000' }), ConfigError);
    assert.throws(() => loadConfig({ HISTORY_RETENTION_HOURS: '200', HISTORY_COARSE_RETENTION_DAYS: '7' }), (e: unknown) => e instanceof ConfigError && e.variable === 'HISTORY_COARSE_RETENTION_DAYS');
  });
});
