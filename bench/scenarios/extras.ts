import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DIST, runDashboard } from '../dashboard.js';
import { runEnginesBench } from '../engines.js';
import { runGroupBench } from '../groups.js';
import { runLogSearchBench } from '../logsearch.js';
import type { BenchSettings } from '../lib/args.js';
import { groupRows } from '../lib/group-report.js';
import { atMost, ratioAtMost, row, type Row } from '../lib/table.js';

/**
 * bench/groups.ts's scenario (3 tiers × 10, its own containers and service), run after the
 * main one has cleaned up. The first row (ours vs `docker start` one by one, p50) carries the
 * target; the rest of its table follows for context.
 */
export async function groupsScenario(s: BenchSettings, notes: string[]): Promise<Row[]> {
  const { code, report } = await runGroupBench({ perTier: 10, rounds: s.groupRounds, image: s.image, socketPath: s.socketPath });
  if (!report) throw new Error(`the group start scenario failed (exit code ${code}; see its log above)`);
  if (report.leftovers > 0) notes.push(`the group scenario left ${report.leftovers} containers behind`);
  const [first, ...rest] = groupRows(report);
  if (!first) return [];
  const headline = row(`${first.metric} (reference = docker CLI)`, 's', first.ours, first.engine, ratioAtMost(0.5));
  return [headline, ...rest.map((r) => ({ ...r, metric: `  ${r.metric}` }))];
}

/** bench/dashboard.ts's scenario (stub server + headless Chromium, 1,000 containers, 50 stats sets/s). */
export async function dashboardScenario(notes: string[]): Promise<Row[]> {
  if (!existsSync(join(DEFAULT_DIST, 'index.html'))) {
    notes.push('dashboard scenario skipped: dist/web is not built (npm run build)');
    return [];
  }
  const r = await runDashboard({ containers: 1000, rate: 50, events: 0, seconds: 5, dist: DEFAULT_DIST, quiet: true });
  if (r.pageErrors.length) notes.push(`dashboard page errors: ${r.pageErrors.join(' | ')}`);
  return [
    row('dashboard 1,000 containers: first render (navigation -> table painted)', 'ms', r.firstPaintMs, null, atMost(1000, 'ms')),
    row(`dashboard: main-thread time per stats update (${r.updates} updates)`, 'ms', r.perUpdateMainThreadMs, null, atMost(8, 'ms')),
  ];
}

/** bench/logsearch.ts's scenario (5 containers × 100,000 lines): ours vs `docker logs | grep`, per case. */
export async function logSearchScenario(s: BenchSettings, notes: string[]): Promise<Row[]> {
  const { code, results } = await runLogSearchBench({ containers: 5, lines: 100_000, rounds: 3, image: s.image, socketPath: s.socketPath });
  if (!results) throw new Error(`the log search scenario failed (exit code ${code}; see its log above)`);
  if (code !== 0) notes.push('log search: ours and grep found different numbers of lines (see BENCH_JSON)');
  return results.flatMap((r) => [
    row(`log search 5 x 100,000 lines, ${r.name}: total (reference = docker logs | grep)`, 'ms', r.ours.totalMs, r.cli.totalMs),
    row(`  ${r.name}: time to first match`, 'ms', r.ours.firstMs, r.cli.firstMs),
  ]);
}

/** bench/engines.ts's scenario (200 containers over the first engine and e2): its rows, its notes. */
export async function enginesScenario(s: BenchSettings, notes: string[]): Promise<Row[]> {
  const r = await runEnginesBench({ containers: 200, running: 50, iterations: 100, rounds: 3, stops: 10, image: s.image, socketPath: s.socketPath, e2SocketPath: '/run/gdm-e2/docker.sock' });
  notes.push(...r.notes);
  if (!r.rows) throw new Error(`the two-engine scenario failed (exit code ${r.code}; see its log above)`);
  return r.rows;
}
