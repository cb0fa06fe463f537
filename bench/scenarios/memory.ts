import { procMemory } from '../lib/proc-memory.js';
import { SseReader, type SseEvent } from '../lib/sse-reader.js';
import { row, type Row } from '../lib/table.js';
import type { BenchContext } from './context.js';
import { statsPath } from './stats.js';

/**
 * The service's RSS with a stats stream open for the M running bench containers: opens
 * `/api/v1/stats?...&stream=true`, waits for the first event and `samples` collector ticks
 * after it, reads VmRSS, closes it. Also reports the mean interval between ticks.
 */
export async function statsStreamMemory(ctx: BenchContext, samples = 3): Promise<Row[]> {
  const { service, fixture, settings, log } = ctx;
  log(`stats stream: waiting for ${samples + 2} events (~${Math.ceil(((samples + 1) * settings.statsIntervalMs) / 1000)} s)`);
  const reader = await SseReader.open('127.0.0.1', service.port, statsPath(fixture.runId, true), ctx.auth);
  try {
    // The first event is sent at once on open; the ones after it come from the collector's ticks.
    const isStats = (e: SseEvent) => e.event === 'stats';
    let last = await reader.waitFor(isStats, 5_000);
    last = await reader.waitFor(isStats, settings.statsIntervalMs * 5, reader.events.indexOf(last) + 1);
    const gaps: number[] = [];
    let covered = 0;
    for (let i = 0; i < samples; i++) {
      const next = await reader.waitFor(isStats, settings.statsIntervalMs * 5, reader.events.indexOf(last) + 1);
      gaps.push(next.at - last.at);
      covered = (JSON.parse(next.data) as { totals: { containers: number } }).totals.containers;
      last = next;
    }
    const mem = procMemory(service.pid);
    const m = fixture.running.length;
    if (covered !== m) log(`note: the stats stream covered ${covered} of ${m} running containers`);
    return [
      row(`RSS, stats stream open (${m} running)`, 'MiB', mem.rss, null),
      row('stats stream interval between ticks, mean', 'ms', gaps.reduce((a, b) => a + b, 0) / gaps.length, null),
    ];
  } finally {
    reader.close();
  }
}
