import { appError } from '../../errors.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a `since`/`until` value the way the docker CLI accepts it: Unix seconds
 * (fractions allowed), an RFC 3339 date, or a duration before now such as 10m or 2h.
 * Returns Unix seconds.
 */
export function parseTimeParam(name: string, value: string, now = Date.now()): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const duration = DURATION.exec(v);
  if (duration) return Math.floor(now / 1000 - Number(duration[1]) * (UNIT_SECONDS[duration[2] as string] ?? 1));
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw appError('VALIDATION_ERROR', `${name} must be Unix seconds, an RFC 3339 date or a duration such as 10m`);
}
