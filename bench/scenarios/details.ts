import { interleaved } from '../lib/measure.js';
import { summarize } from '../lib/percentiles.js';
import { ratioAtMost, row, type Row } from '../lib/table.js';
import { warmupCount, type BenchContext } from './context.js';

/** One container's details by name: ours `GET /api/v1/containers/{name}` against the engine's inspect. */
export async function detailsScenario(ctx: BenchContext): Promise<Row[]> {
  const { ours, engine, fixture, settings, log } = ctx;
  const target = fixture.running[0];
  if (!target) throw new Error('no running bench container');
  const name = encodeURIComponent(target.name);
  const k = settings.iterations;
  log(`details: ${k} iterations (+${warmupCount(k)} warm-up), interleaved`);
  const { samples } = await interleaved(
    {
      ours: () => ours.expect('GET', `/api/v1/containers/${name}`),
      engine: () => engine.expect('GET', `/containers/${name}/json`),
    },
    k,
    warmupCount(k),
  );
  const o = summarize(samples.ours);
  const e = summarize(samples.engine);
  return [row('details p50', 'ms', o.p50, e.p50, ratioAtMost(1)), row('details p99', 'ms', o.p99, e.p99)];
}
