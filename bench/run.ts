/**
 * Benchmark of our API against the Docker engine's own API, measured in the same run on
 * the same containers: list, details and stats, plus the process's memory. Prints a table
 * (ratio = ours / engine, lower is better) and one `BENCH_JSON {...}` line for scripts.
 *
 *   npm run bench -- --containers 50 --running 20 --iterations 200
 *
 * It creates its own labelled containers (gdm.bench=1, gdm.test=bench) from a local image,
 * never pulls, and removes them at the end, on error and on SIGINT/SIGTERM.
 */
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { parseBenchArgs, USAGE, type BenchSettings } from './lib/args.js';
import { ContainerFixture } from './lib/fixture.js';
import { HttpClient } from './lib/http-client.js';
import { interleaved, parallelRounds } from './lib/measure.js';
import { summarize } from './lib/percentiles.js';
import { renderTable, row, type Row } from './lib/table.js';

const MiB = 1024 * 1024;
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

interface EngineVersion {
  Version: string;
  ApiVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
}

interface Results {
  rows: Row[];
  engineVersion: EngineVersion;
  engineContainers: number;
  phasesMs: Record<string, number>;
}

function warmupCount(iterations: number): number {
  return Math.min(50, Math.max(5, Math.ceil(iterations / 10)));
}

async function measure(settings: BenchSettings, engine: HttpClient, ours: HttpClient, fixture: ContainerFixture): Promise<Row[]> {
  const rows: Row[] = [];
  const target = fixture.running[0];
  if (!target) throw new Error('no running bench container');
  const running = fixture.running;

  // Sanity: both sides see the same containers, and ours answers 200 everywhere we time it.
  const ourList = await ours.json<{ total: number; containers: { id: string }[] }>('GET', '/api/v1/containers');
  const engineList = await engine.json<{ Id: string }[]>('GET', '/containers/json?all=1');
  const ourIds = new Set(ourList.containers.map((c) => c.id));
  const missing = fixture.containers.filter((c) => !ourIds.has(c.id));
  if (missing.length > 0) throw new Error(`our list lacks ${missing.length} bench containers`);
  if (Math.abs(ourList.total - engineList.length) > 0) log(`note: list sizes differ (ours ${ourList.total}, engine ${engineList.length}); another client is changing containers`);

  // (a) list
  const k = settings.iterations;
  let ourBytes = 0;
  let engineBytes = 0;
  log(`list: ${k} iterations (+${warmupCount(k)} warm-up), interleaved`);
  const list = await interleaved(
    {
      ours: async () => (ourBytes = (await ours.expect('GET', '/api/v1/containers')).body.length),
      engine: async () => (engineBytes = (await engine.expect('GET', '/containers/json?all=1')).body.length),
    },
    k,
    warmupCount(k),
  );
  const lo = summarize(list.samples.ours);
  const le = summarize(list.samples.engine);
  rows.push(
    row('list p50', 'ms', lo.p50, le.p50),
    row('list p99', 'ms', lo.p99, le.p99),
    row('list mean', 'ms', lo.mean, le.mean),
    row('list sequential throughput (higher is better)', 'req/s', 1000 / lo.mean, 1000 / le.mean),
    row('list response body', 'KiB', ourBytes / 1024, engineBytes / 1024),
  );

  // (d) details
  log(`details: ${k} iterations (+${warmupCount(k)} warm-up), interleaved`);
  const details = await interleaved(
    {
      ours: () => ours.expect('GET', `/api/v1/containers/${encodeURIComponent(target.name)}`),
      engine: () => engine.expect('GET', `/containers/${target.id}/json`),
    },
    k,
    warmupCount(k),
  );
  const dO = summarize(details.samples.ours);
  const dE = summarize(details.samples.engine);
  rows.push(row('details p50', 'ms', dO.p50, dE.p50), row('details p99', 'ms', dO.p99, dE.p99), row('details mean', 'ms', dO.mean, dE.mean));

  // (b) stats of one running container. The engine's stream=false waits for a second
  // sample (~1 s); one-shot does not, and is what our service uses once it holds a
  // previous sample of the container (the first call to ours is the "cold" one).
  const s = settings.statsIterations;
  log(`stats of one container: ${s} iterations (+2 warm-up), interleaved; ~${(s + 2) * 4} s`);
  const single = await interleaved(
    {
      ours: () => ours.expect('GET', `/api/v1/containers/${target.id}/stats`),
      engine: () => engine.expect('GET', `/containers/${target.id}/stats?stream=false`),
      engineOneShot: () => engine.expect('GET', `/containers/${target.id}/stats?stream=false&one-shot=true`),
    },
    s,
    2,
  );
  const so = summarize(single.samples.ours);
  const se = summarize(single.samples.engine);
  const s1 = summarize(single.samples.engineOneShot);
  rows.push(
    row('stats one, cold first call', 'ms', single.warmup.ours[0] ?? null, single.warmup.engine[0] ?? null),
    row('stats one p50', 'ms', so.p50, se.p50),
    row('stats one p99', 'ms', so.p99, se.p99),
    row('stats one p50 vs engine one-shot', 'ms', so.p50, s1.p50),
    row('stats one p99 vs engine one-shot', 'ms', so.p99, s1.p99),
  );

  // (c) stats of all M running containers at once.
  const r = settings.rounds;
  const m = running.length;
  log(`stats of all ${m} running containers in parallel: ${r} rounds (+1 warm-up)`);
  const all = await parallelRounds(
    {
      ours: (i) => ours.expect('GET', `/api/v1/containers/${(running[i] as { id: string }).id}/stats`),
      engine: (i) => engine.expect('GET', `/containers/${(running[i] as { id: string }).id}/stats?stream=false`),
      engineOneShot: (i) => engine.expect('GET', `/containers/${(running[i] as { id: string }).id}/stats?stream=false&one-shot=true`),
    },
    m,
    r,
    1,
  );
  const ao = summarize(all.samples.ours);
  const ae = summarize(all.samples.engine);
  const a1 = summarize(all.samples.engineOneShot);
  rows.push(
    row(`stats all ${m}, cold round wall`, 'ms', all.warmup.ours[0] ?? null, all.warmup.engine[0] ?? null),
    row(`stats all ${m}, wall mean`, 'ms', ao.mean, ae.mean),
    row(`stats all ${m}, wall max`, 'ms', ao.max, ae.max),
    row(`stats all ${m}, wall mean vs engine one-shot`, 'ms', ao.mean, a1.mean),
  );
  return rows;
}

async function main(): Promise<number> {
  let settings: BenchSettings | undefined;
  try {
    settings = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (!settings) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const rssStart = process.memoryUsage().rss;
  const engine = new HttpClient({ socketPath: settings.socketPath });
  const fixture = new ContainerFixture({ engine, image: settings.image, total: settings.containers, running: settings.running, batch: settings.batch });
  let app: App | undefined;
  let ours: HttpClient | undefined;

  let teardown: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (teardown ??= (async () => {
      ours?.close();
      await app?.close().catch((err: unknown) => log(`closing the service failed: ${String(err)}`));
      const removed = await fixture.removeAll();
      log(`removed ${removed} bench containers (run ${fixture.runId})`);
    })());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`${signal}: removing bench containers before exiting`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const phases: Record<string, number> = {};
  let results: Results | undefined;
  let rssListening = 0;
  let rssEnd = 0;
  try {
    const engineVersion = await engine.json<EngineVersion>('GET', '/version');
    await fixture.checkImage();

    let t = performance.now();
    log(`creating ${settings.containers} containers (${settings.running} running), run ${fixture.runId}, batches of ${settings.batch}`);
    await fixture.create();
    phases.setup = performance.now() - t;
    log(`created in ${seconds(phases.setup)} s`);

    const config = loadConfig({ PORT: '18199', LOG_LEVEL: 'silent', DOCKER_HOST: `unix://${settings.socketPath}` });
    app = await buildApp({ config, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('service did not listen on a TCP port');
    ours = new HttpClient({ host: '127.0.0.1', port: address.port });
    rssListening = process.memoryUsage().rss;

    t = performance.now();
    const rows = await measure(settings, engine, ours, fixture);
    phases.measure = performance.now() - t;
    rssEnd = process.memoryUsage().rss;
    const peak = (process.resourceUsage().maxRSS * 1024) / MiB;
    rows.push(
      row('RSS at start (bench process)', 'MiB', rssStart / MiB, null),
      row('RSS after service listen', 'MiB', rssListening / MiB, null),
      row('RSS after all measurements', 'MiB', rssEnd / MiB, null),
      row('RSS peak (maxRSS)', 'MiB', peak, null),
    );
    const engineContainers = (await engine.json<unknown[]>('GET', '/containers/json?all=1')).length;
    results = { rows, engineVersion, engineContainers, phasesMs: phases };
  } catch (err) {
    if (interrupted) return 130;
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    const t = performance.now();
    await cleanup();
    phases.teardown = performance.now() - t;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const filters = encodeURIComponent(JSON.stringify({ label: ['gdm.bench'] }));
  const leftovers = (await engine.json<unknown[]>('GET', `/containers/json?all=1&filters=${filters}`)).length;
  engine.close();
  phases.total = performance.now() - started;
  if (!results) return 1;

  const v = results.engineVersion;
  const out = [
    '',
    `gui-docker-manager benchmark — ${new Date().toISOString()}`,
    `engine: Docker ${v.Version} (API ${v.ApiVersion}, ${v.Os}/${v.Arch}, kernel ${v.KernelVersion}); node ${process.version}`,
    `settings: containers N=${settings.containers}, running M=${settings.running}, iterations K=${settings.iterations}, ` +
      `stats iterations=${settings.statsIterations}, parallel rounds=${settings.rounds}; engine held ${results.engineContainers} containers`,
    'ratio = ours / engine (lower is better, except where marked); percentiles interpolate linearly; calls are interleaved, keep-alive on both sides',
    '',
    renderTable(results.rows),
    '',
    `phases: setup ${seconds(phases.setup ?? 0)} s, measure ${seconds(phases.measure ?? 0)} s, teardown ${seconds(phases.teardown ?? 0)} s, total ${seconds(phases.total)} s; leftover bench containers: ${leftovers}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const json = {
    date: new Date().toISOString(),
    engine: { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch, kernel: v.KernelVersion },
    node: process.version,
    settings: {
      containers: settings.containers,
      running: settings.running,
      iterations: settings.iterations,
      statsIterations: settings.statsIterations,
      rounds: settings.rounds,
      engineContainers: results.engineContainers,
    },
    phasesMs: Object.fromEntries(Object.entries(phases).map(([key, ms]) => [key, Math.round(ms)])),
    leftovers,
    results: results.rows,
  };
  process.stdout.write(`BENCH_JSON ${JSON.stringify(json)}\n`);
  return leftovers === 0 ? 0 : 1;
}

process.exitCode = await main();
