import { procMemory } from '../lib/proc-memory.js';
import { SseReader } from '../lib/sse-reader.js';
import { row, type Row } from '../lib/table.js';
import type { BenchContext } from './context.js';
import { statsPath } from './stats.js';

/**
 * The service's RSS with a stats stream open for the M running bench containers: opens
 * `/api/v1/stats?...&stream=true`, waits for `samples` events, reads VmRSS, closes it.
 * Also reports the interval between the stream's events.
 */
export async function statsStreamMemory(ctx: BenchContext, samples = 4): Promise<Row[]> {
  const { service, fixture, settings, log } = ctx;
  log(`stats stream: waiting for ${samples} events (~${Math.ceil((samples * settings.statsIntervalMs) / 1000)} s)`);
  const reader = await SseReader.open('127.0.0.1', service.port, statsPath(fixture.runId, true));
  try {
    let last = await reader.waitFor((e) => e.event === 'stats', 5_000);
    const gaps: number[] = [];
    let covered = 0;
    for (let i = 1; i < samples; i++) {
      const next = await reader.waitFor((e) => e.event === 'stats', settings.statsIntervalMs * 5, reader.events.indexOf(last) + 1);
      gaps.push(next.at - last.at);
      covered = (JSON.parse(next.data) as { totals: { containers: number } }).totals.containers;
      last = next;
    }
    const mem = procMemory(service.pid);
    const m = fixture.running.length;
    if (covered !== m) log(`note: the stats stream covered ${covered} of ${m} running containers`);
    return [
      row(`RSS, stats stream open (${m} running)`, 'MiB', mem.rss, null),
      row('stats stream interval, mean', 'ms', gaps.reduce((a, b) => a + b, 0) / gaps.length, null),
    ];
  } finally {
    reader.close();
  }
}
