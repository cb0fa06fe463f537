import type Database from 'better-sqlite3';
import type { Db } from '../storage/database.js';
import type { RoundRow, SeriesRef } from './rounds.js';
import { bucketOf, cutoffOf, type Tier } from './tiers.js';

/** One bucket as the API answers it: averages over the rounds the bucket holds. */
export interface HistoryPoint {
  /** Start of the bucket, ms since the epoch. */
  time: number;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimit: number | null;
  netRxBytesPerSec: number | null;
  netTxBytesPerSec: number | null;
}

export interface SeriesRow {
  id: number;
  kind: 'container' | 'group';
  engine: string;
  key: string;
  name: string;
  groups: string[];
  lastSeen: number;
}

interface PointRow {
  time: number;
  samples: number;
  cpu: number;
  memory: number;
  memory_limit: number | null;
  net_samples: number;
  rx: number;
  tx: number;
}

interface RawSeries {
  id: number;
  kind: 'container' | 'group';
  engine: string;
  key: string;
  name: string;
  groups_json: string;
  last_seen: number;
}

interface Cached {
  id: number;
  name: string;
  groupsJson: string;
  lastSeen: number;
}

function toSeries(r: RawSeries): SeriesRow {
  return { id: r.id, kind: r.kind, engine: r.engine, key: r.key, name: r.name, groups: JSON.parse(r.groups_json) as string[], lastSeen: r.last_seen };
}

function toPoint(r: PointRow): HistoryPoint {
  return {
    time: r.time,
    cpuPercent: Math.round(r.cpu / r.samples) / 100,
    memoryBytes: Math.round(r.memory / r.samples),
    memoryLimit: r.memory_limit,
    netRxBytesPerSec: r.net_samples > 0 ? Math.round(r.rx / r.net_samples) : null,
    netTxBytesPerSec: r.net_samples > 0 ? Math.round(r.tx / r.net_samples) : null,
  };
}

/**
 * The history tables: each round written in one transaction into every tier (a coarse
 * bucket accumulates the rounds that fall in it: downsampling as it goes, no second pass),
 * read by series and range, pruned by age. Synchronous (better-sqlite3): called from the
 * recorder's timer, never from a request but for the range read.
 */
export class HistoryStore {
  private readonly cache = new Map<string, Cached>();
  private readonly upsertSeries: Database.Statement;
  private readonly touchSeries: Database.Statement;
  private readonly upsertPoint: Database.Statement;
  private readonly selectPoints: Database.Statement;
  private readonly deleteOld: Database.Statement;
  private readonly writeRound: (time: number, rows: readonly RoundRow[], now: number) => void;

  constructor(
    private readonly db: Db,
    readonly tiers: readonly Tier[],
  ) {
    this.upsertSeries = db.prepare(
      `INSERT INTO history_series (kind, engine, key, name, groups_json, last_seen) VALUES (@kind, @engine, @key, @name, @groups, @now)
       ON CONFLICT (kind, engine, key) DO UPDATE SET name = excluded.name, groups_json = excluded.groups_json, last_seen = excluded.last_seen
       RETURNING id`,
    );
    this.touchSeries = db.prepare('UPDATE history_series SET name = ?, groups_json = ?, last_seen = ? WHERE id = ?');
    this.upsertPoint = db.prepare(
      `INSERT INTO history_points (series, tier, time, samples, cpu, memory, memory_limit, net_samples, rx, tx)
       VALUES (@series, @tier, @time, 1, @cpu, @memory, @memoryLimit, @netSamples, @rx, @tx)
       ON CONFLICT (series, tier, time) DO UPDATE SET
         samples = samples + 1, cpu = cpu + excluded.cpu, memory = memory + excluded.memory,
         memory_limit = coalesce(excluded.memory_limit, memory_limit),
         net_samples = net_samples + excluded.net_samples, rx = rx + excluded.rx, tx = tx + excluded.tx`,
    );
    this.selectPoints = db.prepare(
      'SELECT time, samples, cpu, memory, memory_limit, net_samples, rx, tx FROM history_points WHERE series = ? AND tier = ? AND time >= ? AND time <= ? ORDER BY time',
    );
    this.deleteOld = db.prepare('DELETE FROM history_points WHERE series = ? AND tier = ? AND time < ?');
    this.writeRound = db.transaction((time: number, rows: readonly RoundRow[], now: number) => {
      for (const row of rows) {
        const series = this.seriesId(row.series, now);
        const { cpu, memory, memoryLimit, rx, tx } = row.value;
        const net = rx !== null && tx !== null;
        this.tiers.forEach((tier, index) => {
          this.upsertPoint.run({ series, tier: index, time: bucketOf(time, tier.widthMs), cpu, memory, memoryLimit, netSamples: net ? 1 : 0, rx: net ? rx : 0, tx: net ? tx : 0 });
        });
      }
    });
  }

  /** Writes one round (the bucket starting at `time`) into every tier, in one transaction. */
  write(time: number, rows: readonly RoundRow[], now: number): void {
    if (rows.length > 0) this.writeRound(time, rows, now);
  }

  /** The series' id, created on first sight; its name, groups and last sighting kept current without a write per round. */
  private seriesId(s: SeriesRef, now: number): number {
    const cacheKey = `${s.kind}\u0000${s.engine}\u0000${s.key}`;
    const groupsJson = JSON.stringify(s.groups);
    const known = this.cache.get(cacheKey);
    // last_seen only decides when a gone series' row is dropped (after the longest
    // retention): refreshing it once per coarsest bucket is precise enough.
    const coarsest = this.tiers[this.tiers.length - 1]?.widthMs ?? 0;
    if (known && known.name === s.name && known.groupsJson === groupsJson && now - known.lastSeen < coarsest) return known.id;
    if (known) {
      this.touchSeries.run(s.name, groupsJson, now, known.id);
      this.cache.set(cacheKey, { id: known.id, name: s.name, groupsJson, lastSeen: now });
      return known.id;
    }
    const { id } = this.upsertSeries.get({ kind: s.kind, engine: s.engine, key: s.key, name: s.name, groups: groupsJson, now }) as { id: number };
    this.cache.set(cacheKey, { id, name: s.name, groupsJson, lastSeen: now });
    return id;
  }

  /** A series by its identity. */
  series(kind: SeriesRow['kind'], engine: string, key: string): SeriesRow | undefined {
    const row = this.db.prepare('SELECT * FROM history_series WHERE kind = ? AND engine = ? AND key = ?').get(kind, engine, key) as RawSeries | undefined;
    return row ? toSeries(row) : undefined;
  }

  /** Container series a reference may mean: its id, an id prefix, or its (latest) name; newest first. */
  containersMatching(ref: string): SeriesRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM history_series WHERE kind = 'container' AND (key = @ref OR name = @ref OR substr(key, 1, length(@ref)) = @ref)
         ORDER BY last_seen DESC LIMIT 20`,
      )
      .all({ ref }) as RawSeries[];
    return rows.map(toSeries);
  }

  /** The buckets of one series in one tier whose start lies in [from, to] (ms), oldest first. */
  points(seriesId: number, tier: number, from: number, to: number): HistoryPoint[] {
    return (this.selectPoints.all(seriesId, tier, from, to) as PointRow[]).map(toPoint);
  }

  /**
   * Drops every bucket older than its tier keeps, then series not seen for the longest
   * retention (their points are gone by then). Deletes go series by series along the
   * primary key: each is a range on the b-tree, never a scan of the whole table.
   */
  prune(now: number): { points: number; series: number } {
    return this.db.transaction(() => {
      let points = 0;
      const ids = (this.db.prepare('SELECT id FROM history_series').all() as { id: number }[]).map((r) => r.id);
      for (const id of ids) {
        this.tiers.forEach((tier, index) => (points += this.deleteOld.run(id, index, cutoffOf(tier, now)).changes));
      }
      const longest = this.tiers[this.tiers.length - 1];
      const series = longest ? this.db.prepare('DELETE FROM history_series WHERE last_seen < ?').run(cutoffOf(longest, now)).changes : 0;
      if (series > 0) this.cache.clear();
      return { points, series };
    })();
  }

  /** Rows per tier (for tests and the disk bound measurement). */
  counts(): { series: number; points: number } {
    const series = (this.db.prepare('SELECT COUNT(*) AS n FROM history_series').get() as { n: number }).n;
    const points = (this.db.prepare('SELECT COUNT(*) AS n FROM history_points').get() as { n: number }).n;
    return { series, points };
  }
}
