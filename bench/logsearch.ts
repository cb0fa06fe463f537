/**
 * Log search benchmark: N containers × L lines each (`c<k> line <i> end`), searched by our
 * service (GET /api/v1/logs/search as NDJSON, a developer limited to the bench's group)
 * against `docker logs <c> | grep` over the same containers (all at once, each pipe spawned
 * with argument arrays), in the same run, sides alternating per round: time to the first
 * match and to the end, and whether both found the same number of lines. Cases: plain text
 * newest first (the default), plain text oldest first, and a regular expression.
 *
 *   npm run bench:logsearch -- --containers 5 --lines 100000 --rounds 3     (the defaults)
 *
 * Containers carry the bench labels (gdm.bench=1, gdm.test=bench, gdm.bench.run=<id>); the
 * service runs from dist/ with a temporary groups file and DATA_DIR. Everything is removed
 * at the end, on error and on SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readCommandLine } from './lib/args.js';
import { ensureBuilt } from './lib/build.js';
import { cleanupOnExit } from './lib/exit-cleanup.js';
import { BENCH_LABELS, RUN_LABEL } from './lib/fixture.js';
import { HttpClient } from './lib/http-client.js';
import { percentile } from './lib/percentiles.js';
import { benchAdmin, developerToken } from './lib/service-auth.js';
import { ServiceProcess } from './lib/service-process.js';
import { groupLabelKey } from './lib/tiers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const USAGE = `usage: npm run bench:logsearch -- [--containers N] [--lines L] [--rounds R] [--image IMAGE] [--socket PATH]
  --containers N  containers searched (default 5)
  --lines L       lines each container writes (default 100000)
  --rounds R      measured rounds per case, sides alternating (default 3; one untimed warm-up first)
  --image IMAGE   local image, never pulled (default gdm-test-busybox:latest)
  --socket PATH   the engine's unix socket (default /var/run/docker.sock)`;

export interface LogSearchBenchSettings {
  containers: number;
  lines: number;
  rounds: number;
  image: string;
  socketPath: string;
}

interface Case {
  name: string;
  query: Record<string, string>;
  /** grep's arguments for the same search. */
  grep: string[];
}

// Each line is "c<k> line <i> end": "77 end" is in 1% of them, spread evenly over the log.
const CASES: Case[] = [
  { name: 'plain text, newest first', query: { q: '77 end' }, grep: ['-F', '77 end'] },
  { name: 'plain text, oldest first', query: { q: '77 end', order: 'oldest' }, grep: ['-F', '77 end'] },
  { name: 'regex, newest first', query: { q: 'line [0-9]*77 end$', regex: 'true' }, grep: ['-E', 'line [0-9]*77 end$'] },
];

export interface Timing {
  firstMs: number;
  totalMs: number;
  matches: number;
}

export interface CaseResult {
  name: string;
  ours: Timing;
  cli: Timing;
}

function parseSettings(argv: string[]): LogSearchBenchSettings | undefined {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: { containers: { type: 'string' }, lines: { type: 'string' }, rounds: { type: 'string' }, image: { type: 'string' }, socket: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (v.help) return undefined;
  const int = (name: string, raw: string | undefined, fallback: number, max: number) => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new Error(`--${name} must be an integer 1-${max}, got ${JSON.stringify(raw)}\n${USAGE}`);
    return Number(raw);
  };
  return {
    containers: int('containers', v.containers, 5, 50),
    lines: int('lines', v.lines, 100_000, 10_000_000),
    rounds: int('rounds', v.rounds, 3, 20),
    image: v.image ?? 'gdm-test-busybox:latest',
    socketPath: v.socket ?? '/var/run/docker.sock',
  };
}

/** Our search as NDJSON over one connection: time to the first `match` line and to the end. */
function oursSearch(port: number, token: string, query: Record<string, string>): Promise<Timing> {
  const path = `/api/v1/logs/search?${new URLSearchParams({ ...query, limit: '10000' }).toString()}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`search answered ${res.statusCode}`));
      let firstMs = 0;
      let rest = '';
      let summary: { matches: number; truncated: boolean; timedOut: boolean } | undefined;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (!firstMs && chunk.includes('"event":"match"')) firstMs = performance.now() - started;
        rest += chunk;
        const last = rest.lastIndexOf('\n');
        for (const line of rest.slice(0, last + 1).split('\n')) if (line.startsWith('{"event":"summary"')) summary = (JSON.parse(line) as { data: typeof summary }).data;
        rest = rest.slice(last + 1);
      });
      res.on('end', () => {
        if (!summary) return reject(new Error('no summary'));
        if (summary.truncated || summary.timedOut) return reject(new Error(`partial result: ${JSON.stringify(summary)}`));
        resolve({ firstMs, totalMs: performance.now() - started, matches: summary.matches });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** `docker logs <c> | grep …` for every container at once: time to grep's first line out, and to the last pipe's end. */
function cliSearch(socketPath: string, names: readonly string[], grep: readonly string[]): Promise<Timing> {
  const started = performance.now();
  let firstMs = 0;
  let matches = 0;
  const one = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const logs = spawn('docker', ['-H', `unix://${socketPath}`, 'logs', name], { stdio: ['ignore', 'pipe', 'ignore'] });
      // --line-buffered: grep writes each match at once (into a pipe it would wait for 4 KiB), so its first match is timed fairly.
      const filter = spawn('grep', ['--line-buffered', ...grep], { stdio: ['pipe', 'pipe', 'ignore'] });
      logs.stdout.pipe(filter.stdin);
      filter.stdout.setEncoding('utf8');
      filter.stdout.on('data', (chunk: string) => {
        if (!firstMs) firstMs = performance.now() - started;
        matches += chunk.split('\n').length - 1;
      });
      logs.once('error', reject);
      filter.once('error', reject);
      filter.once('close', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`grep exited ${code}`))));
    });
  return Promise.all(names.map(one)).then(() => ({ firstMs, totalMs: performance.now() - started, matches }));
}

/** Creates and starts the writers through the engine API; resolves once every log holds its last line. */
async function createWriters(engine: HttpClient, s: LogSearchBenchSettings, runId: string, group: string): Promise<string[]> {
  const names = Array.from({ length: s.containers }, (_, k) => `gdm-bench-ls-${runId}-${k + 1}`);
  await Promise.all(
    names.map(async (name, k) => {
      const body = {
        Image: s.image,
        Cmd: ['sh', '-c', `seq 1 ${s.lines} | sed 's/^/c${k + 1} line /; s/$/ end/'; sleep 3600`],
        Labels: { ...BENCH_LABELS, [RUN_LABEL]: runId, [groupLabelKey(runId)]: group },
        HostConfig: {},
      };
      const { Id } = await engine.json<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, [201], body);
      await engine.request('POST', `/containers/${Id}/start`);
    }),
  );
  const deadline = performance.now() + 120_000;
  for (const [k, name] of names.entries()) {
    const last = `c${k + 1} line ${s.lines} end\n`;
    while (!(await engine.request('GET', `/containers/${name}/logs?stdout=1&tail=1`)).body.subarray(8).toString('utf8').endsWith(last)) {
      if (performance.now() > deadline) throw new Error(`${name} did not write its ${s.lines} lines in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return names;
}

/** Runs the bench; returns the exit code and, when it ran, the per-case medians. */
export async function runLogSearchBench(s: LogSearchBenchSettings): Promise<{ code: number; results?: CaseResult[] }> {
  const engine = new HttpClient({ socketPath: s.socketPath });
  const runId = Math.random().toString(16).slice(2, 10);
  const group = `ls-${runId}`;
  const workDir = mkdtempSync(join(tmpdir(), 'gdm-bench-ls-'));
  let service: ServiceProcess | undefined;
  let teardown: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (teardown ??= (async () => {
      await service?.stop().catch((err: unknown) => log(`stopping the service failed: ${String(err)}`));
      const filters = encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }));
      const ids = (await engine.json<{ Id: string }[]>('GET', `/containers/json?all=1&filters=${filters}`)).map((c) => c.Id);
      await Promise.all(ids.map((id) => engine.request('DELETE', `/containers/${id}?force=1`)));
      rmSync(workDir, { recursive: true, force: true });
      log(`removed ${ids.length} bench containers (run ${runId})`);
    })());
  const exit = cleanupOnExit(cleanup, log);
  try {
    const build = await ensureBuilt(ROOT, log);
    log(`${s.containers} containers × ${s.lines} lines, run ${runId}`);
    const names = await createWriters(engine, s, runId, group);
    writeFileSync(join(workDir, 'groups.yaml'), `groups:\n  ${group}:\n    description: log search bench\n`);
    const admin = benchAdmin(join(workDir, 'data'), [group]);
    const env = { ...admin.env, SERVICE_GROUPS_FILE: join(workDir, 'groups.yaml'), GROUP_LABEL: groupLabelKey(runId), LOG_SEARCH_CONCURRENCY: String(s.containers) };
    service = new ServiceProcess({ entry: build.entry, cwd: ROOT, socketPath: s.socketPath, statsIntervalMs: 1000, env });
    (await service.start()).close();
    const token = await developerToken(admin, [group]);
    const port = service.port;
    const results: CaseResult[] = [];
    for (const c of CASES) {
      const query = { ...c.query, group };
      await oursSearch(port, token, query); // warm-up, untimed
      await cliSearch(s.socketPath, names, c.grep);
      const ours: Timing[] = [];
      const cli: Timing[] = [];
      for (let r = 0; r < s.rounds && !exit.interrupted(); r++) {
        const sides = r % 2 === 0 ? ['ours', 'cli'] : ['cli', 'ours'];
        for (const side of sides) {
          if (side === 'ours') ours.push(await oursSearch(port, token, query));
          else cli.push(await cliSearch(s.socketPath, names, c.grep));
        }
      }
      const median = (t: Timing[]): Timing => ({
        firstMs: percentile(t.map((x) => x.firstMs).sort((a, b) => a - b), 50),
        totalMs: percentile(t.map((x) => x.totalMs).sort((a, b) => a - b), 50),
        matches: t[0]?.matches ?? 0,
      });
      results.push({ name: c.name, ours: median(ours), cli: median(cli) });
      log(`${c.name}: ours first ${median(ours).firstMs.toFixed(0)} ms, total ${median(ours).totalMs.toFixed(0)} ms; grep first ${median(cli).firstMs.toFixed(0)} ms, total ${median(cli).totalMs.toFixed(0)} ms`);
    }
    return { code: results.every((r) => r.ours.matches === r.cli.matches) ? 0 : 1, results };
  } catch (err) {
    if (exit.interrupted()) return { code: 130 };
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { code: 1 };
  } finally {
    await cleanup();
    exit.dispose();
    engine.close();
  }
}

/** The results as a table: ours and grep, first match and total, the ratio of totals. */
export function printLogSearchReport(s: LogSearchBenchSettings, results: readonly CaseResult[]): void {
  const ms = (n: number) => `${Math.round(n).toLocaleString('en')} ms`;
  const lines = [
    `log search: ${s.containers} containers × ${s.lines.toLocaleString('en')} lines, median of ${s.rounds} rounds (reference: docker logs <c> | grep, all containers at once)`,
    '| case | matches (ours / grep) | ours: first match / total | grep: first match / total | total ratio |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.name} | ${r.ours.matches} / ${r.cli.matches} | ${ms(r.ours.firstMs)} / ${ms(r.ours.totalMs)} | ${ms(r.cli.firstMs)} / ${ms(r.cli.totalMs)} | ${(r.ours.totalMs / r.cli.totalMs).toFixed(2)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\nBENCH_JSON ${JSON.stringify({ logsearch: { settings: s, results } })}\n`);
}

async function main(): Promise<number> {
  const line = readCommandLine(parseSettings, USAGE, process.argv.slice(2));
  if ('code' in line) return line.code;
  const { code, results } = await runLogSearchBench(line.settings);
  if (results) printLogSearchReport(line.settings, results);
  return code;
}

// Only as the entry point (npm run bench:logsearch); bench/run.ts imports runLogSearchBench.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
