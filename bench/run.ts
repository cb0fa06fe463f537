/**
 * Benchmark of our service against the Docker engine's own API, in one run on the same
 * containers: list (sequential, and autocannon load at 10 and 100 connections as a developer
 * with RBAC), 304 revalidation, stats of all running containers, details, how fast an outside
 * change shows in our API, and the service's memory; then the group start (bench/groups.ts)
 * the dashboard (bench/dashboard.ts), log search (bench/logsearch.ts) and two-engine
 * (bench/engines.ts) scenarios, unless --skip-groups / --skip-dashboard / --skip-logsearch / --skip-engines. The service runs as its own process
 * (`node dist/src/cli.js serve`, built first when dist/ is stale), as a deployment runs it.
 * Prints a table (ratio = ours / engine, target pass/fail) and one `BENCH_JSON {...}` line.
 *
 *   npm run bench -- --containers 200 --running 50 --connections 10,100 --load-seconds 10
 *   (the defaults; --help lists all flags)
 *
 * It creates its own labelled containers (gdm.bench=1, gdm.test=bench, gdm.bench.run=<id>)
 * from a local image, never pulls, and removes them and stops the service at the end, on
 * error and on SIGINT/SIGTERM.
 */
import { cleanupOnExit } from './lib/exit-cleanup.js';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, readCommandLine, USAGE, type BenchSettings } from './lib/args.js';
import { ensureBuilt } from './lib/build.js';
import { ContainerFixture, RUN_LABEL } from './lib/fixture.js';
import { HttpClient } from './lib/http-client.js';
import { procMemory, rssSampler } from './lib/proc-memory.js';
import { printReport, type EngineVersion } from './lib/report.js';
import { ServiceProcess } from './lib/service-process.js';
import { benchAdmin, developerToken, login } from './lib/service-auth.js';
import { groupLabelKey } from './lib/tiers.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atMost, row, type Row } from './lib/table.js';
import { sleep, type BenchContext } from './scenarios/context.js';
import { detailsScenario } from './scenarios/details.js';
import { dashboardScenario, enginesScenario, groupsScenario, logSearchScenario } from './scenarios/extras.js';
import { loadScenario } from './scenarios/load.js';
import { revalidateScenario } from './scenarios/revalidate.js';
import { listScenario, warmListScenario } from './scenarios/list.js';
import { statsStreamMemory } from './scenarios/memory.js';
import { propagationScenario } from './scenarios/propagation.js';
import { statsScenario } from './scenarios/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Waits until our list holds every bench container of this run (the store synced them). */
async function waitForSync(ours: HttpClient, fixture: ContainerFixture, timeoutMs = 10_000): Promise<void> {
  const path = `/api/v1/containers?label=${encodeURIComponent(`${RUN_LABEL}=${fixture.runId}`)}`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { total } = await ours.json<{ total: number }>('GET', path);
    if (total === fixture.containers.length) return;
    if (performance.now() > deadline) throw new Error(`our service tracks ${total} of ${fixture.containers.length} bench containers`);
    await sleep(50);
  }
}

/** Whether the running containers' /proc entries are visible here (so the service can read their cgroup files). */
async function cgroupNote(engine: HttpClient, id: string): Promise<string> {
  const { State } = await engine.json<{ State: { Pid: number } }>('GET', `/containers/${id}/json`);
  return existsSync(`/proc/${State.Pid}/cgroup`)
    ? 'container processes are visible here: the service reads their cgroup files for stats (STATS_SOURCE=auto)'
    : 'container processes are NOT visible here: the service falls back to the engine stats API';
}

async function measure(ctx: BenchContext, notes: string[]): Promise<Row[]> {
  const pid = ctx.service.pid;
  await waitForSync(ctx.ours, ctx.fixture);
  await sleep(1000);
  const idle = procMemory(pid).rss;
  notes.push(await cgroupNote(ctx.engine, ctx.fixture.running[0]?.id ?? ''));

  const sampler = rssSampler(pid);
  const list = await listScenario(ctx);
  const listPeak = sampler.stop();
  const afterList = procMemory(pid).rss;
  const load = await loadScenario(ctx);
  const revalidate = await revalidateScenario(ctx);
  const details = await detailsScenario(ctx);
  const stats = await statsScenario(ctx);
  const stream = await statsStreamMemory(ctx);
  const warmList = await warmListScenario(ctx);
  const propagation = await propagationScenario(ctx);
  if (propagation.earlyEvents > 0) notes.push(`${propagation.earlyEvents} of ${ctx.settings.stops} events arrived before the engine's stop call returned (counted as 0 ms)`);
  const end = procMemory(pid);
  const n = ctx.fixture.containers.length;
  const most = Math.max(...ctx.settings.connections);
  return [
    ...list,
    ...warmList,
    ...load.rows,
    ...revalidate,
    ...stats,
    ...details,
    ...propagation.rows,
    row(`RSS idle, after start + sync (${n} bench containers)`, 'MiB', idle, null, atMost(100, 'MiB')),
    row('RSS during sequential list calls (peak sampled every 50 ms)', 'MiB', listPeak, null),
    row('RSS after sequential list calls', 'MiB', afterList, null),
    row(`RSS right after the ${most}-connection list load`, 'MiB', load.rssAfter, null, atMost(140, 'MiB')),
    row('RSS peak during the autocannon list load (sampled every 50 ms)', 'MiB', load.rssPeak, null),
    ...stream,
    row('RSS at the end', 'MiB', end.rss, null),
    row('RSS peak over the whole run (VmHWM)', 'MiB', end.hwm, null),
  ];
}

/** bench/groups.ts and bench/dashboard.ts, each in its own phase; a failure becomes a note, not a lost report. */
async function extras(s: BenchSettings, notes: string[], phase: <T>(name: string, fn: () => Promise<T>) => Promise<T>): Promise<Row[]> {
  const out: Row[] = [];
  const attempt = async (name: string, fn: () => Promise<Row[]>) => {
    try {
      out.push(...(await phase(name, fn)));
    } catch (err) {
      log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      notes.push(`${name} scenario failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if (!s.skipGroups) {
    log(`group start: 3 tiers x 10, ${s.groupRounds} rounds (bench/groups.ts)`);
    await attempt('groups', () => groupsScenario(s, notes));
  }
  if (!s.skipDashboard) {
    log('dashboard: 1,000 containers in headless Chromium (bench/dashboard.ts)');
    await attempt('dashboard', () => dashboardScenario(notes));
  }
  if (!s.skipLogsearch) {
    log('log search: 5 containers x 100,000 lines vs docker logs | grep (bench/logsearch.ts)');
    await attempt('logsearch', () => logSearchScenario(s, notes));
  }
  if (!s.skipEngines) {
    log('two engines: 200 containers over the first engine and e2 vs each engine\'s own API (bench/engines.ts)');
    await attempt('engines', () => enginesScenario(s, notes));
  }
  return out;
}

async function main(): Promise<number> {
  const line = readCommandLine(parseBenchArgs, USAGE, process.argv.slice(2));
  if ('code' in line) return line.code;
  const { settings } = line;
  const started = performance.now();
  const engine = new HttpClient({ socketPath: settings.socketPath });
  // Two service groups of this run only (half the containers each): the developer's token names both, so RBAC runs on every item.
  const group = (k: number) => `bg${k}-${fixture.runId}`;
  const labels = (i: number) => ({ [groupLabelKey(fixture.runId)]: group(i % 2) });
  const fixture: ContainerFixture = new ContainerFixture({ engine, image: settings.image, total: settings.containers, running: settings.running, batch: settings.batch, labels });
  const dataDir = mkdtempSync(join(tmpdir(), 'gdm-bench-data-'));
  let service: ServiceProcess | undefined;
  let ours: HttpClient | undefined;

  let teardown: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (teardown ??= (async () => {
      ours?.close();
      await service?.stop().catch((err: unknown) => log(`stopping the service failed: ${String(err)}`));
      const removed = await fixture.removeAll();
      rmSync(dataDir, { recursive: true, force: true });
      log(`removed ${removed} bench containers (run ${fixture.runId}) and ${dataDir}`);
    })());
  const exit = cleanupOnExit(cleanup, log);

  const phases: Record<string, number> = {};
  const notes: string[] = [];
  let rows: Row[] | undefined;
  let engineVersion: EngineVersion | undefined;
  let engineContainers = 0;
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      phases[name] = performance.now() - t;
    }
  };
  try {
    engineVersion = await engine.json<EngineVersion>('GET', '/version');
    await fixture.checkImage();
    const build = await phase('build', () => ensureBuilt(ROOT, log));
    if (build.built) notes.push(`built dist/ first (${Math.round(build.ms / 1000)} s)`);
    log(`creating ${settings.containers} containers (${settings.running} running), run ${fixture.runId}, batches of ${settings.batch}`);
    await phase('setup', () => fixture.create());
    const s = settings;
    const admin = benchAdmin(join(dataDir, 'data'), []);
    const groupsFile = join(dataDir, 'groups.yaml');
    writeFileSync(groupsFile, `groups:\n  ${group(0)}:\n    description: bench\n  ${group(1)}:\n    description: bench\n`);
    const env = { ...admin.env, SERVICE_GROUPS_FILE: groupsFile, GROUP_LABEL: groupLabelKey(fixture.runId) };
    service = new ServiceProcess({ entry: build.entry, cwd: ROOT, socketPath: s.socketPath, statsIntervalMs: s.statsIntervalMs, env });
    (await phase('service start', () => (service as ServiceProcess).start())).close();
    ours = await login(service.port, admin, 30_000);
    const auth = ours.headers as Record<string, string>;
    log(`service pid ${service.pid} ready on 127.0.0.1:${service.port}`);
    const developer = { authorization: `Bearer ${await developerToken(admin, [group(0), group(1)])}` };
    const ctx: BenchContext = { settings: s, engine, ours, auth, developer, service, fixture, log };
    rows = await phase('measure', () => measure(ctx, notes));
    engineContainers = (await engine.json<unknown[]>('GET', '/containers/json?all=1')).length;
  } catch (err) {
    if (exit.interrupted()) return 130;
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    await phase('teardown', cleanup);
    exit.dispose();
  }

  const filters = encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${fixture.runId}`] }));
  const leftovers = (await engine.json<unknown[]>('GET', `/containers/json?all=1&filters=${filters}`)).length;
  engine.close();
  // The other two scenarios run once the main one has removed its containers and stopped its service.
  if (rows && !exit.interrupted()) rows.push(...(await extras(settings, notes, phase)));
  phases.total = performance.now() - started;
  if (!rows || !engineVersion) return 1;
  printReport({ settings, engineVersion, engineContainers, rows, phasesMs: phases, leftovers, notes });
  return leftovers === 0 ? 0 : 1;
}

process.exitCode = await main();
