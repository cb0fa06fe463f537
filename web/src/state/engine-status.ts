// Pure (no React, no DOM): the unit tests load this file under the service's NodeNext
// settings (test/unit/web-engines.test.ts), hence the .js path.
import type { components } from '../../../clients/typescript/src/generated/schema.js';

type Engine = components['schemas']['Engine'];

/** One unreachable engine as the banner tells it. */
export interface EngineOutage {
  name: string;
  required: boolean;
  /** ISO 8601: when its containers were last in sync, else when it last failed; undefined when never seen. */
  since?: string;
  /** Why, in a word: the system error (ECONNREFUSED, ENOENT, CERT_HAS_EXPIRED…), else our code. */
  why: string;
  /** The service's message for it (a tooltip: it mostly repeats what the banner says). */
  message?: string;
  /** What to do, as the service suggests it. */
  hint?: string;
}

/** The engines that do not answer, required ones first, each with since when and why. */
export function engineOutages(engines: readonly Engine[]): EngineOutage[] {
  return engines
    .filter((e) => !e.reachable)
    .sort((a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name))
    .map((e) => {
      const err = e.lastError;
      const since = e.lastSeen ?? err?.at ?? undefined;
      return {
        name: e.name,
        required: e.required,
        ...(since ? { since } : {}),
        why: err ? (err.cause ?? err.code) : 'no answer yet',
        ...(err ? { message: err.message } : {}),
        ...(e.hint ? { hint: e.hint } : {}),
      };
    });
}

/** How long ago, coarse and short ("40 s ago", "3 min ago", "2 h ago", "5 d ago"); "just now" for the future too (clock skew). */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '?';
  if (s < 1) return 'just now';
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** A time as the dashboard shows it: the local time of day, with the date when not today. */
export function clock(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString();
  return d.toDateString() === now.toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}
