import { interleaved } from '../lib/measure.js';
import { summarize } from '../lib/percentiles.js';
import { atMost, row, type Row } from '../lib/table.js';
import { warmupCount, type BenchContext } from './context.js';

const OURS = '/api/v1/containers';

/**
 * Revalidation of the list, as the dashboard and clients do it: `GET /api/v1/containers` with
 * the list's ETag in If-None-Match must answer 304 with no body. Sequential, interleaved with
 * a full 200 of the same list (the reference), as the developer (RBAC on).
 */
export async function revalidateScenario(ctx: BenchContext): Promise<Row[]> {
  const { ours, settings, log } = ctx;
  const first = await ours.request('GET', OURS, undefined, ctx.developer);
  if (first.status !== 200) throw new Error(`our list answered ${first.status} to the developer`);
  const etag = first.headers.etag;
  if (typeof etag !== 'string') throw new Error('our list sent no ETag');
  const k = settings.revalidations;
  log(`304 revalidation: ${k} iterations (+${warmupCount(k)} warm-up), interleaved with a 200 of the same list`);
  let changed = 0;
  const { samples } = await interleaved(
    {
      revalidate: async () => {
        const res = await ours.request('GET', OURS, undefined, { ...ctx.developer, 'if-none-match': etag });
        if (res.status === 200) changed++; // another client changed containers meanwhile: a full answer
        else if (res.status !== 304) throw new Error(`If-None-Match on the list answered ${res.status}`);
        else if (res.body.length !== 0) throw new Error('a 304 of the list carried a body');
      },
      full: async () => {
        const res = await ours.request('GET', OURS, undefined, ctx.developer);
        if (res.status !== 200) throw new Error(`our list answered ${res.status}`);
      },
    },
    k,
    warmupCount(k),
  );
  if (changed > 0) log(`note: ${changed} of ${k + warmupCount(k)} revalidations got a 200 (the list changed meanwhile)`);
  const r = summarize(samples.revalidate);
  const f = summarize(samples.full);
  return [row(`list 304 revalidation p50 (vs a 200 of it)`, 'ms', r.p50, f.p50, atMost(0.3, 'ms')), row('list 304 revalidation p99', 'ms', r.p99, f.p99)];
}
