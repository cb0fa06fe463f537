/**
 * The per-request cost of the hot path (issue 13), in a form that holds up on a busy
 * machine: for each kind of request (list as admin, list 304 as a developer with RBAC,
 * details), the sequential p50 side by side with its reference — the engine's own call and a
 * bare Fastify serving the same bytes (bench/lib/bare-fastify.mjs, the framework's floor) —
 * and the CPU time the serving process spent per request (summed over its threads from
 * /proc/<pid>/task/<tid>/schedstat: unlike wall time, it does not grow when others load
 * the machine).
 *
 *   node --import tsx bench/hotpath.ts [--containers 200] [--requests 2000] [--cpu-prof DIR]
 *        [--only list,304,details] [--node-flags "--max-semi-space-size=2"] [--keep] [--also DIR,...]
 *
 * --also DIR runs one more service from another build (a copy of dist/ inside this checkout,
 * so that node_modules resolves), side by side with dist/'s: an A/B of a change under the
 * same noise. --cpu-prof DIR runs the service with `node --cpu-prof --cpu-prof-dir DIR` (one .cpuprofile
 * written when it stops). Containers are labelled like bench/run.ts's and removed at the end
 * (--keep: left for the next run, which takes them over when their count matches; for
 * repeated runs while iterating; remove them with `docker rm -f $(docker ps -aq --filter label=gdm.bench.hotpath)`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuilt } from './lib/build.js';
import { cleanupOnExit } from './lib/exit-cleanup.js';
import { ContainerFixture, RUN_LABEL } from './lib/fixture.js';
import { HttpClient } from './lib/http-client.js';
import { summarize } from './lib/percentiles.js';
import { benchAdmin, developerToken, login } from './lib/service-auth.js';
import { ServiceProcess } from './lib/service-process.js';
import { groupLabelKey } from './lib/tiers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`hotpath: ${message}\n`);

const { values: v } = parseArgs({
  options: {
    containers: { type: 'string', default: '200' },
    requests: { type: 'string', default: '2000' },
    only: { type: 'string', default: 'list,304,details' },
    'cpu-prof': { type: 'string' },
    'node-flags': { type: 'string', default: '' },
    image: { type: 'string', default: 'gdm-test-busybox:latest' },
    socket: { type: 'string', default: '/var/run/docker.sock' },
    keep: { type: 'boolean', default: false },
    also: { type: 'string' },
  },
});
const requests = Number(v.requests);
const only = new Set(v.only.split(','));

/** Nanoseconds on CPU of every thread of a process so far. */
function cpuNs(pid: number): number {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that just ended
    }
  }
  return sum;
}

interface Side {
  name: string;
  pid: number;
  call: () => Promise<unknown>;
}

/** Interleaved sequential calls of every side; p50 and CPU µs of the serving process per call. */
async function compare(title: string, sides: Side[]): Promise<void> {
  const warmup = Math.min(200, requests / 5);
  const samples = sides.map(() => [] as number[]);
  const cpu = sides.map(() => 0);
  for (let i = 0; i < warmup + requests; i++) {
    for (let j = 0; j < sides.length; j++) {
      const k = (i + j) % sides.length;
      const side = sides[k] as Side;
      const before = i >= warmup ? cpuNs(side.pid) : 0;
      const started = performance.now();
      await side.call();
      const ms = performance.now() - started;
      if (i >= warmup) {
        cpu[k] = (cpu[k] as number) + cpuNs(side.pid) - before;
        samples[k]?.push(ms);
      }
    }
  }
  for (let k = 0; k < sides.length; k++) {
    const s = summarize(samples[k] as number[]);
    console.log(`${title.padEnd(16)} ${(sides[k] as Side).name.padEnd(22)} p50 ${s.p50.toFixed(3)} ms  p90 ${s.p90.toFixed(3)} ms  cpu ${((cpu[k] as number) / requests / 1000).toFixed(1)} µs/req`);
  }
}

async function startBare(bodyFile: string): Promise<{ pid: number; port: number; stop(): void }> {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'lib', 'bare-fastify.mjs'), bodyFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare fastify exited (${code})`)));
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString('utf8').trim())));
  });
  return { pid: child.pid as number, port, stop: () => child.kill('SIGTERM') };
}

const engine = new HttpClient({ socketPath: v.socket });
const group = (k: number) => `hg${k}-${fixture.runId}`;
const fixture: ContainerFixture = new ContainerFixture({
  engine,
  image: v.image,
  total: Number(v.containers),
  running: Math.min(Number(v.containers), 50),
  batch: 16,
  labels: (i) => ({ [groupLabelKey(fixture.runId)]: group(i % 2), 'gdm.bench.hotpath': '1' }),
});
/** Takes over the containers a --keep run left (same count), else creates them. */
async function adoptOrCreate(): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: ['gdm.bench.hotpath=1'] }));
  const kept = await engine.json<{ Id: string; Names: string[]; State: string; Labels: Record<string, string> }[]>('GET', `/containers/json?all=1&filters=${filters}`);
  const runs = new Set(kept.map((c) => c.Labels[RUN_LABEL]));
  if (kept.length === Number(v.containers) && runs.size === 1) {
    const runId = [...runs][0] as string;
    Object.assign(fixture, { runId });
    for (const c of kept) fixture.containers.push({ id: c.Id, name: (c.Names[0] ?? '').slice(1), running: c.State === 'running' });
    fixture.containers.sort((a, b) => a.name.localeCompare(b.name));
    log(`took over ${kept.length} containers of run ${runId}`);
    return;
  }
  log(`creating ${v.containers} containers`);
  await fixture.create();
}

const dir = mkdtempSync(join(tmpdir(), 'gdm-hotpath-'));
const services: ServiceProcess[] = [];

interface Variant {
  name: string;
  pid: number;
  client: HttpClient;
}
let bare: { stop(): void } | undefined;
const clients: HttpClient[] = [];
const cleanup = async () => {
  for (const c of clients) c.close();
  bare?.stop();
  await Promise.all(services.map((s) => s.stop()));
  if (!v.keep) log(`removed ${await fixture.removeAll()} containers`);
  engine.close();
  rmSync(dir, { recursive: true, force: true });
};
const exit = cleanupOnExit(cleanup, log);
try {
  await fixture.checkImage();
  await adoptOrCreate();
  const secret = benchAdmin(join(dir, 'data'), []).env['JWT_SECRET_KEY'] as string;
  writeFileSync(join(dir, 'groups.yaml'), `groups:\n  ${group(0)}:\n    description: bench\n  ${group(1)}:\n    description: bench\n`);
  const execArgv = [...(v['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', v['cpu-prof']] : []), ...v['node-flags'].split(' ').filter(Boolean)];
  // Our service from dist/, and from each --also copy (side by side: the same noise weighs on each).
  const variants: Variant[] = [];
  for (const [k, dist] of [join(ROOT, 'dist'), ...(v.also ? v.also.split(',') : [])].entries()) {
    if (k === 0) await ensureBuilt(ROOT, log);
    const admin = benchAdmin(join(dir, `data${k}`), []);
    admin.env['JWT_SECRET_KEY'] = secret;
    const service = new ServiceProcess({
      entry: join(dist, 'src', 'cli.js'),
      cwd: ROOT,
      socketPath: v.socket,
      statsIntervalMs: 1000,
      env: { ...admin.env, SERVICE_GROUPS_FILE: join(dir, 'groups.yaml'), GROUP_LABEL: groupLabelKey(fixture.runId) },
      execArgv,
    });
    services.push(service);
    (await service.start()).close();
    const client = await login(service.port, admin, 30_000);
    clients.push(client);
    variants.push({ name: k === 0 ? 'ours' : `ours ${basename(dist)}`, pid: service.pid, client });
  }
  const ours = (variants[0] as Variant).client;
  const signer = benchAdmin(dir, []);
  signer.env['JWT_SECRET_KEY'] = secret;
  const developer = { authorization: `Bearer ${await developerToken(signer, [group(0), group(1)])}` };
  for (const { client } of variants) {
    for (;;) {
      const { total } = await client.json<{ total: number }>('GET', '/api/v1/containers?label=gdm.bench.run%3D' + fixture.runId);
      if (total === fixture.containers.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const listBody = (await ours.expect('GET', '/api/v1/containers')).body;
  const target = fixture.running[0]?.name ?? '';
  const detailsBody = (await ours.expect('GET', `/api/v1/containers/${target}`)).body;
  writeFileSync(join(dir, 'list.json'), listBody);
  // Created containers only: their status text never moves on, so the 304 stays a 304.
  const STABLE = '/api/v1/containers?status=created';

  const bareList = await startBare(join(dir, 'list.json'));
  bare = bareList;
  const bareClient = new HttpClient({ host: '127.0.0.1', port: bareList.port });
  clients.push(bareClient);
  const bareTag = (await bareClient.request('GET', '/ready-bytes')).headers.etag as string;
  const enginePid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim() || 0);
  log(`list ${listBody.length} B, details ${detailsBody.length} B; ${requests} sequential calls per side`);
  if (only.has('list')) {
    await compare('list (admin)', [
      ...variants.map(({ name, pid, client }) => ({ name, pid, call: () => client.expect('GET', '/api/v1/containers') })),
      { name: 'bare fastify, same B', pid: bareList.pid, call: () => bareClient.expect('GET', '/ready-bytes') },
      ...(enginePid ? [{ name: 'engine', pid: enginePid, call: () => engine.expect('GET', '/containers/json?all=1') }] : []),
    ]);
  }
  if (only.has('304')) {
    const sides: Side[] = [];
    for (const { name, pid, client } of variants) {
      const tag = (await client.request('GET', STABLE, undefined, developer)).headers.etag as string;
      const call = async () => {
        const res = await client.request('GET', STABLE, undefined, { ...developer, 'if-none-match': tag });
        if (res.status !== 304) throw new Error(`${name}: the list of created containers answered ${res.status}, not 304`);
      };
      sides.push({ name, pid, call });
    }
    sides.push({ name: 'bare fastify 304', pid: bareList.pid, call: () => bareClient.request('GET', '/ready-bytes', undefined, { 'if-none-match': bareTag }) });
    await compare('list 304 (dev)', sides);
  }
  if (only.has('details')) {
    // The framework's floor for the same bytes as a second bare Fastify (one body per process).
    writeFileSync(join(dir, 'details.json'), detailsBody);
    const bareDetails = await startBare(join(dir, 'details.json'));
    const stopList = bare;
    bare = { stop: () => (stopList?.stop(), bareDetails.stop()) };
    const bareDetailsClient = new HttpClient({ host: '127.0.0.1', port: bareDetails.port });
    clients.push(bareDetailsClient);
    await compare('details (admin)', [
      ...variants.map(({ name, pid, client }) => ({ name, pid, call: () => client.expect('GET', `/api/v1/containers/${target}`) })),
      { name: 'bare fastify, same B', pid: bareDetails.pid, call: () => bareDetailsClient.expect('GET', '/ready-bytes') },
      ...(enginePid ? [{ name: 'engine inspect', pid: enginePid, call: () => engine.expect('GET', `/containers/${target}/json`) }] : []),
    ]);
  }
} catch (err) {
  if (!exit.interrupted()) log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  exit.dispose();
}
