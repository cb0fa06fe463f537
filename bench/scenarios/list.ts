import { interleaved, throughput } from '../lib/measure.js';
import { summarize } from '../lib/percentiles.js';
import { ratioAtMost, row, type Row } from '../lib/table.js';
import { warmupCount, type BenchContext } from './context.js';

const OURS = '/api/v1/containers';
const ENGINE = '/containers/json?all=1';

/**
 * Lists every container, ours against the engine's `GET /containers/json?all=1`: sequential
 * latency (interleaved), then throughput with concurrent callers. Checks first that both
 * sides list the same containers.
 */
export async function listScenario(ctx: BenchContext): Promise<Row[]> {
  const { ours, engine, fixture, settings, log } = ctx;
  const ourList = await ours.json<{ total: number; containers: { id: string }[] }>('GET', OURS);
  const engineList = await engine.json<{ Id: string }[]>('GET', ENGINE);
  const ourIds = new Set(ourList.containers.map((c) => c.id));
  const missing = fixture.containers.filter((c) => !ourIds.has(c.id)).length;
  if (missing > 0) throw new Error(`our list lacks ${missing} bench containers`);
  if (ourList.total !== engineList.length) log(`note: list sizes differ (ours ${ourList.total}, engine ${engineList.length}): another client is changing containers`);

  const k = settings.iterations;
  let ourBytes = 0;
  let engineBytes = 0;
  log(`list of ${engineList.length}: ${k} iterations (+${warmupCount(k)} warm-up), interleaved`);
  const { samples } = await interleaved(
    {
      ours: async () => (ourBytes = (await ours.expect('GET', OURS)).body.length),
      engine: async () => (engineBytes = (await engine.expect('GET', ENGINE)).body.length),
    },
    k,
    warmupCount(k),
  );
  const { concurrency, throughputMs } = settings;
  log(`list throughput: ${concurrency} concurrent callers, 2 x ${throughputMs} ms per side, interleaved`);
  const rate = await throughput(
    { ours: () => ours.expect('GET', OURS), engine: () => engine.expect('GET', ENGINE) },
    { concurrency, sliceMs: throughputMs, slices: 2 },
  );
  const o = summarize(samples.ours);
  const e = summarize(samples.engine);
  const n = engineList.length;
  return [
    row(`list ${n} p50 (admin)`, 'ms', o.p50, e.p50, ratioAtMost(0.1)),
    row(`list ${n} p99`, 'ms', o.p99, e.p99),
    row(`list ${n} sequential throughput (higher is better)`, 'req/s', 1000 / o.mean, 1000 / e.mean),
    row(`list ${n} throughput, ${concurrency} concurrent (higher is better)`, 'req/s', rate.ours, rate.engine),
    row(`list ${n} response body`, 'KiB', ourBytes / 1024, engineBytes / 1024),
  ];
}

/**
 * The same sequential list side by side again once the service has run for a while (the
 * load runs before it have warmed its code up and the bench containers are minutes old, so
 * their status texts move on rarely): what a long-running service answers. Informational,
 * next to the target row measured just after start.
 */
export async function warmListScenario(ctx: BenchContext): Promise<Row[]> {
  const { ours, engine, settings, log } = ctx;
  const k = settings.iterations;
  log(`list again, warmed up: ${k} iterations (+${warmupCount(k)} warm-up), interleaved`);
  const { samples } = await interleaved(
    { ours: () => ours.expect('GET', OURS), engine: () => engine.expect('GET', ENGINE) },
    k,
    warmupCount(k),
  );
  const o = summarize(samples.ours);
  const e = summarize(samples.engine);
  return [row('  list p50 again after the load runs (warmed up; informational)', 'ms', o.p50, e.p50)];
}
