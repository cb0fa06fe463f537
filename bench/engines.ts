/**
 * Two engines benchmark (issue 14): N containers spread over the first engine and a second
 * one (e2 of scripts/setup-test-engines.sh, a unix socket), our service given an
 * ENGINES_FILE naming both. Side by side with each engine's own API: the merged list
 * against both engines' lists (at once, and one after the other), stats of the running ones
 * with totals against every one's `stats?stream=false` in parallel on both, and the time
 * from a `docker stop` on the second engine (CLI, DOCKER_HOST=e2) until our /events and our
 * GET show it, with that engine's own /events as the reference.
 *
 *   npm run bench:engines -- --containers 200 --running 50 --stops 10      (the defaults)
 *
 * Containers carry the bench labels (gdm.bench=1, gdm.test=bench, gdm.bench.run=<id>), the
 * same run id on both engines; everything is removed at the end, on error and on SIGINT/SIGTERM.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { readCommandLine } from './lib/args.js';
import { ensureBuilt } from './lib/build.js';
import { cleanupOnExit } from './lib/exit-cleanup.js';
import { ContainerFixture, RUN_LABEL } from './lib/fixture.js';
import { HttpClient } from './lib/http-client.js';
import { benchAdmin, login } from './lib/service-auth.js';
import { ServiceProcess } from './lib/service-process.js';
import { renderTable, type Row } from './lib/table.js';
import { sleep } from './scenarios/context.js';
import { listTwo, propagationTwo, statsTwo, type BenchEngine, type TwoEngineContext } from './scenarios/engines.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const USAGE = `usage: npm run bench:engines -- [--containers N] [--running M] [--iterations K] [--rounds R] [--stops S]
       [--image IMAGE] [--socket PATH] [--e2-socket PATH]
  --containers N    bench containers, half on each engine (default 200)
  --running M       how many of them run, half on each engine (default 50)
  --iterations K    measured sequential list iterations (default 100)
  --rounds R        measured stats rounds (default 3; the engines take ~1-3 s a round)
  --stops S         containers stopped on the second engine to time how fast it shows (default 10)
  --image IMAGE     local image on both engines, never pulled (default gdm-test-busybox:latest)
  --socket PATH     the first engine's unix socket (default /var/run/docker.sock)
  --e2-socket PATH  the second engine's unix socket (default /run/gdm-e2/docker.sock)`;

export interface EnginesBenchSettings {
  containers: number;
  running: number;
  iterations: number;
  rounds: number;
  stops: number;
  image: string;
  socketPath: string;
  e2SocketPath: string;
}

function parseSettings(argv: string[]): EnginesBenchSettings | undefined {
  const names = ['containers', 'running', 'iterations', 'rounds', 'stops', 'image', 'socket', 'e2-socket'];
  const { values } = parseArgs({ args: argv, strict: true, options: { ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])), help: { type: 'boolean', short: 'h' } } });
  const v = values as Record<string, string | undefined> & { help?: boolean };
  if (v.help) return undefined;
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = v[name];
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`--${name} must be an integer ${min}-${max}, got ${JSON.stringify(raw)}\n${USAGE}`);
    return Number(raw);
  };
  const containers = int('containers', 200, 2, 2000);
  const running = int('running', 50, 2, containers);
  return {
    containers,
    running,
    iterations: int('iterations', 100, 1, 10_000),
    rounds: int('rounds', 3, 1, 50),
    stops: int('stops', Math.min(10, Math.floor(running / 2)), 1, Math.floor(running / 2)),
    image: v.image ?? 'gdm-test-busybox:latest',
    socketPath: v.socket ?? '/var/run/docker.sock',
    e2SocketPath: v['e2-socket'] ?? '/run/gdm-e2/docker.sock',
  };
}

/** Waits (time-limited) until our list holds every bench container of this run on both engines. */
async function waitForSync(ours: HttpClient, runId: string, total: number, timeoutMs = 30_000): Promise<void> {
  const path = `/api/v1/containers?label=${encodeURIComponent(`${RUN_LABEL}=${runId}`)}`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { total: seen } = await ours.json<{ total: number }>('GET', path);
    if (seen === total) return;
    if (performance.now() > deadline) throw new Error(`our service tracks ${seen} of ${total} bench containers after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Runs the bench; returns the exit code and, when it ran, the rows and notes. */
export async function runEnginesBench(s: EnginesBenchSettings): Promise<{ code: number; rows?: Row[]; notes: string[]; leftovers: number }> {
  const notes: string[] = [];
  if (!existsSync(s.e2SocketPath)) {
    log(`the second engine's socket ${s.e2SocketPath} is missing: run scripts/setup-test-engines.sh (or pass --e2-socket)`);
    return { code: 1, notes, leftovers: 0 };
  }
  const runId = randomBytes(4).toString('hex');
  const half = (n: number, first: boolean) => (first ? Math.ceil(n / 2) : Math.floor(n / 2));
  const engine = (name: string, socketPath: string, first: boolean): BenchEngine => {
    const api = new HttpClient({ socketPath });
    const fixture = new ContainerFixture({ engine: api, image: s.image, total: half(s.containers, first), running: half(s.running, first), batch: 16, runId, namePrefix: `gdm-bench-${name}` });
    return { name, socketPath, api, fixture };
  };
  const engines: [BenchEngine, BenchEngine] = [engine('local', s.socketPath, true), engine('e2', s.e2SocketPath, false)];
  const workDir = mkdtempSync(join(tmpdir(), 'gdm-bench-engines-'));
  let service: ServiceProcess | undefined;
  let ours: HttpClient | undefined;
  let teardown: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (teardown ??= (async () => {
      ours?.close();
      await service?.stop().catch((err: unknown) => log(`stopping the service failed: ${String(err)}`));
      for (const e of engines) {
        const removed = await e.fixture.removeAll().catch((err: unknown) => (log(`removing ${e.name}'s containers failed: ${String(err)}`), 0));
        log(`removed ${removed} bench containers on ${e.name} (run ${runId})`);
      }
      rmSync(workDir, { recursive: true, force: true });
    })());
  const exit = cleanupOnExit(cleanup, log);
  let rows: Row[] | undefined;
  try {
    const build = await ensureBuilt(ROOT, log);
    for (const e of engines) await e.fixture.checkImage();
    log(`creating ${s.containers} containers (${s.running} running) over local and e2, run ${runId}`);
    await Promise.all(engines.map((e) => e.fixture.create()));
    // Both engines required: /ready answers 200 only once both are synced.
    const enginesFile = join(workDir, 'engines.yaml');
    writeFileSync(enginesFile, ['engines:', ...engines.flatMap((e) => [`  - name: ${e.name}`, `    url: unix://${e.socketPath}`, '    required: true'])].join('\n') + '\n');
    const admin = benchAdmin(join(workDir, 'data'), []);
    service = new ServiceProcess({ entry: build.entry, cwd: ROOT, socketPath: s.socketPath, statsIntervalMs: 1000, env: { ...admin.env, ENGINES_FILE: enginesFile } });
    (await service.start()).close();
    ours = await login(service.port, admin, 60_000);
    await waitForSync(ours, runId, s.containers);
    const ctx: TwoEngineContext = { ours, port: service.port, auth: ours.headers as Record<string, string>, runId, engines, iterations: s.iterations, rounds: s.rounds, stops: s.stops, log };
    rows = [...(await listTwo(ctx)), ...(await statsTwo(ctx)), ...(await propagationTwo(ctx))];
  } catch (err) {
    if (exit.interrupted()) return { code: 130, notes, leftovers: 0 };
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    notes.push(`two-engine scenario failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await cleanup();
    exit.dispose();
  }
  let leftovers = 0;
  const filters = encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }));
  for (const e of engines) {
    leftovers += (await e.api.json<unknown[]>('GET', `/containers/json?all=1&filters=${filters}`).catch(() => [])).length;
    e.api.close();
  }
  if (leftovers > 0) notes.push(`the two-engine scenario left ${leftovers} containers behind`);
  return { code: rows && leftovers === 0 ? 0 : 1, ...(rows ? { rows } : {}), notes, leftovers };
}

async function main(): Promise<number> {
  const line = readCommandLine(parseSettings, USAGE, process.argv.slice(2));
  if ('code' in line) return line.code;
  const { code, rows, notes, leftovers } = await runEnginesBench(line.settings);
  if (rows) {
    const text = [
      `two engines (local + e2 over a unix socket): ${line.settings.containers} containers, ${line.settings.running} running, half on each; ours = the service from dist/ with an ENGINES_FILE naming both`,
      ...notes.map((n) => `note: ${n}`),
      '',
      renderTable(rows, 'engines'),
      `leftover bench containers: ${leftovers}`,
    ];
    process.stdout.write(`${text.join('\n')}\nBENCH_JSON ${JSON.stringify({ engines: { date: new Date().toISOString(), settings: line.settings, notes, leftovers, results: rows } })}\n`);
  }
  return code;
}

// Only as the entry point (npm run bench:engines); bench/run.ts imports runEnginesBench.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
