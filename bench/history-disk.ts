/**
 * Resource history disk use: fills a fresh history database the way the recorder does (one
 * transaction per round) for C containers in G groups over the finest tier's whole
 * retention, then reports bytes per stored row (file pages in use / rows) and what a full
 * retention costs per container. No engine, no service: only the store.
 *
 *   node --import tsx bench/history-disk.ts --containers 50 --groups 5 --hours 24
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HistoryStore } from '../src/history/history-store.js';
import { RateTracker, roundRows, type Observed } from '../src/history/rounds.js';
import { rowsPerSeries, type Tier } from '../src/history/tiers.js';
import { openHistoryDatabase } from '../src/storage/history-database.js';

const { values } = parseArgs({ options: { containers: { type: 'string', default: '50' }, groups: { type: 'string', default: '5' }, hours: { type: 'string', default: '24' } } });
const C = Number(values.containers);
const G = Number(values.groups);
const tiers: Tier[] = [
  { widthMs: 10_000, retentionMs: Number(values.hours) * 3_600_000 },
  { widthMs: 60_000, retentionMs: 7 * 86_400_000 },
];
const dir = mkdtempSync(join(tmpdir(), 'gdm-history-disk-'));
try {
  const db = openHistoryDatabase(dir);
  const store = new HistoryStore(db, tiers);
  const rates = new RateTracker();
  const rounds = tiers[0]!.retentionMs / tiers[0]!.widthMs;
  const start = Date.UTC(2026, 0, 1);
  const counters = Array.from({ length: C }, () => ({ rx: 0, tx: 0 }));
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const at = start + r * 10_000;
    const observed: Observed[] = counters.map((n, i) => {
      n.rx += Math.floor(Math.random() * 2_000_000);
      n.tx += Math.floor(Math.random() * 500_000);
      return {
        engine: 'local',
        id: `${i.toString(16).padStart(4, '0')}${'a'.repeat(60)}`,
        name: `svc-${i}`,
        groups: [`group-${i % G}`],
        usage: {
          read: new Date(at).toISOString(),
          cpuPercent: Math.round(Math.random() * 20_000) / 100,
          onlineCpus: 8,
          memory: { usage: 50_000_000 + Math.floor(Math.random() * 500_000_000), limit: 8_000_000_000, percent: 0 },
          network: { rxBytes: n.rx, txBytes: n.tx },
          blockIo: { readBytes: 0, writeBytes: 0 },
          pids: 10,
        },
      };
    });
    store.write(at, roundRows(observed, rates), at);
  }
  const ms = performance.now() - t0;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
  const bytes = pages * (db.pragma('page_size', { simple: true }) as number);
  const { points, series } = store.counts();
  const perRow = bytes / points;
  const full = rowsPerSeries([{ widthMs: 10_000, retentionMs: 24 * 3_600_000 }, tiers[1]!]);
  console.log(`${C} containers + ${G} groups, ${rounds} rounds in ${(ms / 1000).toFixed(1)} s (${(ms / rounds).toFixed(2)} ms per round write)`);
  console.log(`${series} series, ${points} rows, file ${statSync(join(dir, 'history.sqlite')).size} bytes, ${bytes} bytes in use: ${perRow.toFixed(1)} bytes per row`);
  console.log(`full default retention: ${full} rows per series = ${((full * perRow) / 1e6).toFixed(2)} MB per container or group`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
