/**
 * Group start benchmark: three tiers of N containers (t2 depends on t1, t3 on t2), started by
 * our service with one `POST /api/v1/services/<t3>/start?withDependencies=true` (each tier's
 * members in parallel, at most 10 engine calls at once, gated on running + healthy from the
 * store's events) against `docker start` one container at
 * a time with the CLI, in tier order, in the same run; and the CLI again waiting for each
 * tier's healthchecked members to be healthy (what our start guarantees). Stops likewise:
 * ours with withDependencies from t1 vs `docker stop` one by one. Sides alternate per round.
 *
 *   npm run bench:groups -- --per-tier 10 --rounds 3      (the defaults)
 *
 * Containers carry the bench labels (gdm.bench=1, gdm.test=bench, gdm.bench.run=<id>) and
 * gdm.bench.group.<id>=bt<k>-<id>; the service runs with that GROUP_LABEL, a temporary groups
 * file and DATA_DIR, and a throw-away admin it logs in as. Everything is removed at the end,
 * on error and on SIGINT/SIGTERM.
 */
import { cleanupOnExit } from './lib/exit-cleanup.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readCommandLine } from './lib/args.js';
import { ensureBuilt } from './lib/build.js';
import { DockerCli } from './lib/docker-cli.js';
import { ContainerFixture, RUN_LABEL } from './lib/fixture.js';
import { cliStart, cliStop, engineFloorStart, engineStopAll, oursStart, oursStop, type CliRun, type GroupBench, type OursRun } from './lib/group-sides.js';
import { summarizeRounds, type GroupReport, type Round } from './lib/group-report.js';
import { HttpClient } from './lib/http-client.js';
import type { EngineVersion } from './lib/report.js';
import { benchAdmin, login } from './lib/service-auth.js';
import { ServiceProcess } from './lib/service-process.js';
import { createTiers, groupLabelKey, groupsYaml, type Tier } from './lib/tiers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIERS = 3;
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const USAGE = `usage: npm run bench:groups -- [--per-tier N] [--rounds R] [--image IMAGE] [--socket PATH]
  --per-tier N   containers per tier, 3 tiers (default 10; every other one has a healthcheck)
  --rounds R     measured rounds, sides alternating (default 3; one untimed warm-up first)
  --image IMAGE  local image, never pulled (default gdm-test-busybox:latest)
  --socket PATH  the engine's unix socket (default /var/run/docker.sock)`;

export interface GroupSettings {
  perTier: number;
  rounds: number;
  image: string;
  socketPath: string;
}

function parseSettings(argv: string[]): GroupSettings | undefined {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: { 'per-tier': { type: 'string' }, rounds: { type: 'string' }, image: { type: 'string' }, socket: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (v.help) return undefined;
  const int = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) throw new Error(`--${name} must be an integer 1-100, got ${JSON.stringify(raw)}\n${USAGE}`);
    return Number(raw);
  };
  return {
    perTier: int('per-tier', v['per-tier'], 10),
    rounds: int('rounds', v.rounds, 3),
    image: v.image ?? 'gdm-test-busybox:latest',
    socketPath: v.socket ?? '/var/run/docker.sock',
  };
}

/** One round: each side starts all tiers and stops them again; the order flips every round. */
async function round(b: GroupBench, index: number): Promise<Round> {
  const sides = ['ours', 'cli', 'cli+health', 'engine floor'] as const;
  const order = index % 2 === 0 ? sides : [...sides].reverse();
  let ours: { start: OursRun; stop: OursRun } | undefined;
  let cli: CliRun | undefined;
  let health: { start: CliRun; stop: CliRun } | undefined;
  let floor: CliRun | undefined;
  for (const side of order) {
    if (side === 'ours') ours = { start: await oursStart(b), stop: await oursStop(b) };
    else if (side === 'cli') {
      cli = await cliStart(b, false);
      await engineStopAll(b);
    } else if (side === 'engine floor') {
      floor = await engineFloorStart(b, b.socketPath);
      await engineStopAll(b);
    } else health = { start: await cliStart(b, true), stop: await cliStop(b) };
  }
  if (!ours || !cli || !health || !floor) throw new Error('a side did not run');
  log(`round ${index + 1}: start ours ${(ours.start.ms / 1000).toFixed(2)} s, CLI ${(cli.ms / 1000).toFixed(2)} s, CLI + health ${(health.start.ms / 1000).toFixed(2)} s, ` +
    `engine floor ${(floor.ms / 1000).toFixed(2)} s; stop ours ${(ours.stop.ms / 1000).toFixed(2)} s, CLI ${(health.stop.ms / 1000).toFixed(2)} s (order: ${order.join(', ')})`);
  return { order: [...order], ours, cli, health, floor };
}

/**
 * The whole group bench (containers, service, warm-up, rounds, teardown) without printing:
 * bench/run.ts runs it too. Resolves to the exit code and, when it measured, the report.
 */
export async function runGroupBench(s: GroupSettings): Promise<{ code: number; report?: GroupReport }> {
  const started = performance.now();
  const engine = new HttpClient({ socketPath: s.socketPath });
  const fixture = new ContainerFixture({ engine, image: s.image, total: 0, running: 0, batch: 16 });
  const runId = fixture.runId;
  // The groups file and the service's DATA_DIR (users, audit log, JWT secret) live here for this run only.
  const workDir = join(tmpdir(), `gdm-bench-groups-${runId}`);
  const yamlPath = join(workDir, 'groups.yaml');
  let service: ServiceProcess | undefined;
  let ours: HttpClient | undefined;
  let creating: Promise<Tier[]> | undefined;
  let closing = false;

  let teardown: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (teardown ??= (async () => {
      closing = true;
      ours?.close();
      await service?.stop().catch((err: unknown) => log(`stopping the service failed: ${String(err)}`));
      await creating?.catch(() => undefined);
      const removed = await fixture.removeAll();
      rmSync(workDir, { recursive: true, force: true });
      log(`removed ${removed} bench containers (run ${runId}) and ${workDir}`);
    })());
  const exit = cleanupOnExit(cleanup, log);

  const phases: Record<string, number> = {};
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      phases[name] = performance.now() - t;
    }
  };
  const rounds: Round[] = [];
  let tiers: Tier[] = [];
  let engineVersion: EngineVersion | undefined;
  let failed = false;
  try {
    engineVersion = await engine.json<EngineVersion>('GET', '/version');
    await fixture.checkImage();
    const build = await phase('build', () => ensureBuilt(ROOT, log));
    log(`creating ${TIERS} tiers of ${s.perTier} containers, run ${runId}`);
    creating = createTiers(engine, s.image, runId, TIERS, s.perTier, () => closing);
    tiers = await phase('setup', () => creating as Promise<Tier[]>);
    mkdirSync(workDir, { mode: 0o700 });
    writeFileSync(yamlPath, groupsYaml(tiers));
    const admin = benchAdmin(join(workDir, 'data'), tiers.map((t) => t.group));
    const env = { ...admin.env, SERVICE_GROUPS_FILE: yamlPath, GROUP_LABEL: groupLabelKey(runId) };
    service = new ServiceProcess({ entry: build.entry, cwd: ROOT, socketPath: s.socketPath, statsIntervalMs: 1000, env });
    const svc = service;
    (await phase('service start', () => svc.start())).close();
    log(`service pid ${service.pid} ready on 127.0.0.1:${service.port}`);
    ours = await login(service.port, admin, 180_000);
    const b: GroupBench = { engine, ours, cli: new DockerCli(s.socketPath), runId, tiers, socketPath: s.socketPath };
    await phase('warm-up', async () => {
      await oursStart(b);
      await oursStop(b);
    });
    await phase('rounds', async () => {
      for (let i = 0; i < s.rounds && !exit.interrupted(); i++) rounds.push(await round(b, i));
    });
  } catch (err) {
    if (exit.interrupted()) return { code: 130 };
    failed = true;
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    await phase('teardown', cleanup);
    exit.dispose();
  }

  const filters = encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }));
  const leftovers = (await engine.json<unknown[]>('GET', `/containers/json?all=1&filters=${filters}`)).length;
  engine.close();
  phases.total = performance.now() - started;
  if (failed || !engineVersion || rounds.length === 0) return { code: 1 };
  return { code: leftovers === 0 ? 0 : 1, report: { settings: s, tiers, engineVersion, rounds, phasesMs: phases, leftovers } };
}

async function main(): Promise<number> {
  const line = readCommandLine(parseSettings, USAGE, process.argv.slice(2));
  if ('code' in line) return line.code;
  const { code, report } = await runGroupBench(line.settings);
  if (report) summarizeRounds(report);
  return code;
}

// Only as the entry point (npm run bench:groups); bench/run.ts imports runGroupBench.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
