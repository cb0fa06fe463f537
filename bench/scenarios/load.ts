import autocannon from 'autocannon';
import { procMemory, rssSampler } from '../lib/proc-memory.js';
import { atLeast, atMost, ratioAtLeast, row, type Row } from '../lib/table.js';
import type { BenchContext } from './context.js';

const OURS = '/api/v1/containers';
const ENGINE = '/containers/json?all=1';
const WARMUP_SECONDS = 1;

interface Side {
  reqPerSec: number;
  p50: number;
  p99: number;
}

/** One autocannon run (keep-alive, no pipelining); throws when any answer was not a 2xx or a connection failed. */
async function cannon(target: { url: string; socketPath?: string; headers?: Record<string, string> }, connections: number, seconds: number): Promise<Side> {
  const r = await autocannon({ ...target, connections, duration: seconds, pipelining: 1, timeout: 30 });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`autocannon ${target.url}: ${r.non2xx} non-2xx answers, ${r.errors} errors (${r.timeouts} timeouts)`);
  return { reqPerSec: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99 };
}

/**
 * List throughput with autocannon at each connection count for `seconds` per side: ours with
 * a developer's token (auth + RBAC: the developer sees only the bench groups) against the
 * engine's own list on its unix socket. Also the service's RSS right after the last (largest)
 * run of ours and its peak during the runs.
 */
export async function loadScenario(ctx: BenchContext): Promise<{ rows: Row[]; rssAfter: number; rssPeak: number }> {
  const { service, settings, log } = ctx;
  const ours = { url: `http://127.0.0.1:${service.port}${OURS}`, headers: ctx.developer };
  const engine = { url: `http://localhost${ENGINE}`, socketPath: settings.socketPath };
  const seen = await ctx.ours.request('GET', OURS, undefined, ctx.developer);
  if (seen.status !== 200) throw new Error(`our list answered ${seen.status} to the developer: ${seen.body.toString('utf8').slice(0, 300)}`);
  const visible = (JSON.parse(seen.body.toString('utf8')) as { total: number }).total;
  if (visible !== ctx.fixture.containers.length) log(`note: the developer sees ${visible} containers, the run made ${ctx.fixture.containers.length}`);
  const engineTotal = (JSON.parse((await ctx.engine.expect('GET', ENGINE)).body.toString('utf8')) as unknown[]).length;
  log(`list load: autocannon, ${settings.connections.join(' and ')} connections, ${settings.loadSeconds} s per side (+${WARMUP_SECONDS} s warm-up); developer sees ${visible}, engine lists ${engineTotal}`);
  const sampler = rssSampler(service.pid);
  const rows: Row[] = [];
  let rssAfter = Number.NaN;
  for (const c of settings.connections) {
    await cannon(ours, c, WARMUP_SECONDS);
    const o = await cannon(ours, c, settings.loadSeconds);
    rssAfter = procMemory(service.pid).rss;
    await cannon(engine, c, WARMUP_SECONDS);
    const e = await cannon(engine, c, settings.loadSeconds);
    log(`  ${c} connections: ours ${o.reqPerSec.toFixed(0)} req/s (p99 ${o.p99} ms), engine ${e.reqPerSec.toFixed(0)} req/s (p99 ${e.p99} ms)`);
    const label = `list throughput, ${c} conns, developer (RBAC, ${visible} visible) vs engine (${engineTotal})`;
    rows.push(row(label, 'req/s', o.reqPerSec, e.reqPerSec, ratioAtLeast(20)));
    if (c === 10) rows.push(row(`list throughput, ${c} conns, absolute`, 'req/s', o.reqPerSec, null, atLeast(5000, 'req/s')));
    rows.push(row(`  list latency p50 at ${c} conns`, 'ms', o.p50, e.p50));
    rows.push(row(`  list latency p99 at ${c} conns`, 'ms', o.p99, e.p99, c === 100 ? atMost(50, 'ms') : undefined));
  }
  return { rows, rssAfter, rssPeak: sampler.stop() };
}
