import { RUN_LABEL } from '../lib/fixture.js';
import { interleaved } from '../lib/measure.js';
import { summarize } from '../lib/percentiles.js';
import { ratioAtMost, row, type Row } from '../lib/table.js';
import type { BenchContext } from './context.js';

export function statsPath(runId: string, stream = false): string {
  return `/api/v1/stats?label=${encodeURIComponent(`${RUN_LABEL}=${runId}`)}${stream ? '&stream=true' : ''}`;
}

interface StatsSet {
  containers: unknown[];
  totals: { containers: number };
}

/**
 * Usage of all M running bench containers: one call to our totals endpoint against M
 * parallel `stream=false` calls to the engine (what a client of the engine has to do), and
 * M parallel one-shot calls for reference. Wall time per round. Ours is called first, while
 * its collector is still idle: that is the cold call; the engine's first round is its cold one.
 */
export async function statsScenario(ctx: BenchContext): Promise<Row[]> {
  const { ours, engine, fixture, settings, log } = ctx;
  const ids = fixture.running.map((c) => c.id);
  const m = ids.length;
  const path = statsPath(fixture.runId);
  const fetchOurs = async () => {
    const set = await ours.json<StatsSet>('GET', path);
    if (set.totals.containers !== m) log(`note: our stats covered ${set.totals.containers} of ${m} running containers`);
  };
  const all = (query: string) => () => Promise.all(ids.map((id) => engine.expect('GET', `/containers/${id}/stats?${query}`)));

  const started = performance.now();
  await fetchOurs();
  const oursCold = performance.now() - started;

  const r = settings.rounds;
  log(`stats of ${m} running containers: ${r} rounds (+1 warm-up), interleaved; the engine takes ~1-3 s a round`);
  const { samples, warmup } = await interleaved(
    { ours: fetchOurs, engine: all('stream=false'), engineOneShot: all('stream=false&one-shot=true') },
    r,
    1,
  );
  const o = summarize(samples.ours);
  const e = summarize(samples.engine);
  const e1 = summarize(samples.engineOneShot);
  return [
    row(`stats ${m} running, first (cold) call`, 'ms', oursCold, warmup.engine[0] ?? null),
    row(`stats ${m} running, steady p50`, 'ms', o.p50, e.p50, ratioAtMost(0.05, 'ours >= 20x faster')),
    row(`stats ${m} running, steady max`, 'ms', o.max, e.max),
    row(`stats ${m} running, steady p50 vs engine one-shot`, 'ms', o.p50, e1.p50),
  ];
}
