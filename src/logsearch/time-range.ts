/**
 * Times of a search in integer nanoseconds (bigint): the engine stamps log lines with
 * nanoseconds, and windows read one after another must neither overlap nor leave a gap,
 * which a float of Unix seconds (about a microsecond of precision today) cannot promise.
 */
export type Nanos = bigint;

const NS_PER_SECOND = 1_000_000_000n;

/** Unix seconds (fractions allowed, as parseTimeParam returns them) → nanoseconds, to the microsecond. */
export function nanosFromSeconds(seconds: number): Nanos {
  return BigInt(Math.round(seconds * 1e6)) * 1000n;
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time with up to nanoseconds (the engine's timestamps, a container's `created`); undefined if it is not one. */
export function nanosFromIso(iso: string): Nanos | undefined {
  const m = ISO.exec(iso);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** How the engine takes a since/until with nanoseconds: "seconds.nanoseconds" (both ends inclusive). */
export function engineTime(ns: Nanos): string {
  const seconds = ns / NS_PER_SECOND;
  const rest = ns % NS_PER_SECOND;
  return `${seconds}.${rest.toString().padStart(9, '0')}`;
}

/**
 * A key that sorts engine timestamps in time order. The engine writes RFC 3339 in UTC with
 * trailing zeros of the fraction left out ("…:05Z", "…:05.1Z", "…:05.12Z"), which does not
 * sort as text; the fraction padded to nine digits does.
 */
export function sortKey(timestamp: string): string {
  const dot = timestamp.indexOf('.', 19);
  const end = timestamp.length - 1; // the Z
  const fraction = dot === -1 ? '' : timestamp.slice(dot + 1, end);
  return `${timestamp.slice(0, 19)}.${fraction.padEnd(9, '0')}`;
}

/** One slice of time read from the engine: both ends inclusive, as the engine filters. */
export interface TimeWindow {
  from: Nanos;
  to: Nanos;
}

export const FIRST_WINDOW_NS = 60n * NS_PER_SECOND;
export const WINDOW_GROWTH = 4n;

/**
 * Windows going back in time from `to` down to `floor`: the first one minute long, each next
 * one four times longer, each ending one nanosecond before the previous began (so a line is
 * in exactly one window). Growing windows bound the number of reads: a range of R seconds
 * takes at most ⌈log4(R/60)⌉ + 1 of them.
 */
export function* backwardWindows(to: Nanos, floor: Nanos, first = FIRST_WINDOW_NS, growth = WINDOW_GROWTH): Generator<TimeWindow> {
  let end = to;
  let width = first;
  while (end >= floor) {
    const start = end - width + 1n;
    const from = start > floor ? start : floor;
    yield { from, to: end };
    end = from - 1n;
    width *= growth;
  }
}
