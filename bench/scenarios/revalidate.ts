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
  const warmup = warmupCount(k);
  log(`304 revalidation: ${k} iterations (+${warmup} warm-up), alternating with a 200 of the same list`);
  let tag = etag;
  let changed = 0;
  const samples = { revalidate: [] as number[], full: [] as number[] };
  const revalidate = async (measured: boolean) => {
    const started = performance.now();
    const res = await ours.request('GET', OURS, undefined, { ...ctx.developer, 'if-none-match': tag });
    const ms = performance.now() - started;
    if (res.status === 304) {
      if (res.body.length !== 0) throw new Error('a 304 of the list carried a body');
      if (measured) samples.revalidate.push(ms);
    } else if (res.status === 200 && typeof res.headers.etag === 'string') {
      // The list changed (another client, or a status text such as "Up 5 seconds" moved on): a client takes the new ETag.
      changed++;
      tag = res.headers.etag;
    } else throw new Error(`If-None-Match on the list answered ${res.status}`);
  };
  const full = async (measured: boolean) => {
    const started = performance.now();
    const res = await ours.request('GET', OURS, undefined, ctx.developer);
    if (res.status !== 200) throw new Error(`our list answered ${res.status}`);
    if (measured) samples.full.push(performance.now() - started);
  };
  for (let i = 0; i < warmup + k; i++) {
    const measured = i >= warmup;
    // Alternating order, so that neither side always follows the other.
    if (i % 2 === 0) {
      await revalidate(measured);
      await full(measured);
    } else {
      await full(measured);
      await revalidate(measured);
    }
  }
  if (samples.revalidate.length === 0) throw new Error(`no revalidation of the list answered 304 (${changed} answered 200 with a new ETag)`);
  if (changed > 0) log(`note: ${changed} of ${k + warmup} revalidations got a 200 with a new ETag (the list changed); p50 is of the ${samples.revalidate.length} measured 304s`);
  const r = summarize(samples.revalidate);
  const f = summarize(samples.full);
  return [row(`list 304 revalidation p50 (vs a 200 of it)`, 'ms', r.p50, f.p50, atMost(0.3, 'ms')), row('list 304 revalidation p99', 'ms', r.p99, f.p99)];
}
