import { readFileSync } from 'node:fs';

const MiB = 1024 * 1024;

export interface ProcMemory {
  /** Resident set size now, MiB. */
  rss: number;
  /** Peak resident set size since the process started (VmHWM), MiB. */
  hwm: number;
}

/** VmRSS and VmHWM of a process, from /proc/<pid>/status (Linux). */
export function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  return { rss: (kib('VmRSS') * 1024) / MiB, hwm: (kib('VmHWM') * 1024) / MiB };
}

/**
 * Samples a process's RSS every `everyMs` until stopped; stop() gives the highest seen (MiB).
 * A sample that fails (the process is exiting) is skipped: a timer must never throw.
 */
export function rssSampler(pid: number, everyMs = 50): { stop(): number } {
  let max = 0;
  const sample = () => {
    try {
      max = Math.max(max, procMemory(pid).rss);
    } catch {
      // gone or a zombie: keep what we have
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}
