/** One resolution of the history: buckets this wide (ms), kept this long (ms). Finest first. */
export interface Tier {
  widthMs: number;
  retentionMs: number;
}

/** The start of the bucket of this width that holds `time` (ms since the epoch). */
export function bucketOf(time: number, widthMs: number): number {
  return Math.floor(time / widthMs) * widthMs;
}

/** The oldest bucket start a tier keeps at `now`: anything before it is pruned. */
export function cutoffOf(tier: Tier, now: number): number {
  return bucketOf(now - tier.retentionMs, tier.widthMs);
}

const RESOLUTION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `auto` or a width such as 10s, 1m, 500ms; undefined when it is neither. */
export function parseResolution(value: string): number | 'auto' | undefined {
  if (value === 'auto') return 'auto';
  const m = RESOLUTION.exec(value);
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] ?? 1) : undefined;
}

/**
 * Which tier answers a range: the one of the asked width, or (auto) the finest that still
 * keeps `since`, else the coarsest. Returns the tier's index, or undefined for a width no
 * tier has.
 */
export function pickTier(tiers: readonly Tier[], since: number, now: number, resolution: number | 'auto'): number | undefined {
  if (resolution !== 'auto') {
    const index = tiers.findIndex((t) => t.widthMs === resolution);
    return index < 0 ? undefined : index;
  }
  const index = tiers.findIndex((t) => since >= cutoffOf(t, now));
  return index < 0 ? tiers.length - 1 : index;
}

/** Tiers are finest first, each width a multiple of the previous and kept at least as long. */
export function checkTiers(tiers: readonly Tier[]): void {
  if (tiers.length === 0) throw new Error('history needs at least one tier');
  tiers.forEach((t, i) => {
    const prev = tiers[i - 1];
    if (t.widthMs <= 0 || t.retentionMs < t.widthMs) throw new Error(`history tier ${i}: width ${t.widthMs} ms, retention ${t.retentionMs} ms`);
    if (prev && (t.widthMs % prev.widthMs !== 0 || t.widthMs <= prev.widthMs || t.retentionMs < prev.retentionMs)) {
      throw new Error(`history tier ${i} must be wider than tier ${i - 1}, a multiple of it, and kept at least as long`);
    }
  });
}

/** Rows one series can hold at most: every bucket of every tier within its retention (+1 for the bucket in progress). */
export function rowsPerSeries(tiers: readonly Tier[]): number {
  return tiers.reduce((n, t) => n + Math.ceil(t.retentionMs / t.widthMs) + 1, 0);
}
