/** Pure geometry of a history chart (unit-tested): values over time as SVG polylines. */

export interface TimedValue {
  time: number;
  value: number;
}

export interface Frame {
  width: number;
  height: number;
  /** Time range shown (ms since the epoch). */
  from: number;
  to: number;
  /** The value at the top edge. */
  max: number;
}

/** A value scale's top: at least 1, rounded up to 1, 2 or 5 × a power of ten so labels read well. */
export function niceMax(values: readonly number[]): number {
  const top = Math.max(1, ...values);
  const power = 10 ** Math.floor(Math.log10(top));
  for (const step of [1, 2, 5, 10]) if (top <= step * power) return step * power;
  return 10 * power;
}

/**
 * Polyline point lists, one per run of buckets without a gap: a missing bucket (the
 * container was not running, or not sampled) breaks the line instead of drawing a slope
 * across it. A gap is more than 1.5 bucket widths between two points.
 */
export function segments(points: readonly TimedValue[], bucketMs: number, f: Frame): string[] {
  const x = (t: number) => ((t - f.from) / Math.max(1, f.to - f.from)) * f.width;
  const y = (v: number) => f.height - (Math.min(v, f.max) / f.max) * (f.height - 2) - 1;
  const runs: TimedValue[][] = [];
  let run: TimedValue[] = [];
  for (const p of points) {
    const last = run.at(-1);
    if (last && p.time - last.time > bucketMs * 1.5) {
      runs.push(run);
      run = [];
    }
    run.push(p);
  }
  if (run.length > 0) runs.push(run);
  // A lone point is drawn as a short flat line one bucket wide, so it is visible.
  return runs.map((r) =>
    (r.length === 1 ? [r[0] as TimedValue, { time: (r[0] as TimedValue).time + bucketMs, value: (r[0] as TimedValue).value }] : r)
      .map((p) => `${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`)
      .join(' '),
  );
}

export const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type RangeName = keyof typeof RANGES;
