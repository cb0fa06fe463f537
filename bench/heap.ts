/**
 * Memory of the service (issue 13): RSS and heap idle, then rounds of list load with the
 * heap used after a full GC printed per round: it must level off (a steady climb is a leak).
 * For scale, first the RSS of a bare node that imports the same runtime packages.
 *
 *   node --import tsx bench/heap.ts [--containers 0] [--rounds 6] [--requests 2000]
 *        [--concurrency 10] [--snapshot DIR] [--image IMAGE] [--socket PATH]
 *
 * The service runs from dist/ (built when stale) with --expose-gc and bench/lib/heap-probe.mjs,
 * which answers over IPC. --snapshot writes heap snapshots (idle, after the load) into DIR.
 * Bench containers (--containers) are labelled like bench/run.ts's and removed at the end.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { ensureBuilt } from './lib/build.js';
import { cleanupOnExit } from './lib/exit-cleanup.js';
import { ContainerFixture } from './lib/fixture.js';
import { HttpClient } from './lib/http-client.js';
import { procMemory } from './lib/proc-memory.js';
import { benchAdmin, login } from './lib/service-auth.js';
import { ServiceProcess } from './lib/service-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE = pathToFileURL(join(ROOT, 'bench', 'lib', 'heap-probe.mjs')).href;
const MiB = 1024 * 1024;
const log = (message: string) => process.stderr.write(`heap: ${message}\n`);
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

const { values: v } = parseArgs({
  options: {
    containers: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '6' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '10' },
    snapshot: { type: 'string' },
    image: { type: 'string', default: 'gdm-test-busybox:latest' },
    socket: { type: 'string', default: '/var/run/docker.sock' },
  },
});
const containers = Number(v.containers);

interface Heap {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** A bare node importing every runtime dependency of package.json: what the code alone costs. */
async function bareNode(): Promise<Heap> {
  const deps = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  const code = `for (const m of ${JSON.stringify(deps)}) await import(m); gc(); gc(); console.log(JSON.stringify(process.memoryUsage()));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], { cwd: ROOT });
  return JSON.parse(stdout) as Heap;
}

/** `total` GETs of the list from `concurrency` callers at once. */
async function listLoad(client: HttpClient, total: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < total) await client.expect('GET', '/api/v1/containers');
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const engine = new HttpClient({ socketPath: v.socket });
const fixture = new ContainerFixture({ engine, image: v.image, total: containers, running: Math.min(containers, 50), batch: 10 });
let service: ServiceProcess | undefined;
let ours: HttpClient | undefined;
const cleanup = async () => {
  ours?.close();
  await service?.stop();
  if (containers > 0) log(`removed ${await fixture.removeAll()} bench containers`);
  engine.close();
};
const exit = cleanupOnExit(cleanup, log);
try {
  const bare = await bareNode();
  console.log(`bare node + runtime packages: rss ${mib(bare.rss)} MiB, heapUsed ${mib(bare.heapUsed)} MiB`);
  const { entry } = await ensureBuilt(ROOT, log);
  if (containers > 0) {
    await fixture.checkImage();
    log(`creating ${containers} containers`);
    await fixture.create();
  }
  const admin = benchAdmin(mkdtempSync(join(tmpdir(), 'gdm-bench-heap-')), []);
  service = new ServiceProcess({ entry, cwd: ROOT, socketPath: v.socket, statsIntervalMs: 2000, env: admin.env, execArgv: ['--expose-gc', '--import', PROBE], ipc: true });
  (await service.start()).close();
  ours = await login(service.port, admin, 30_000);
  const listed = await ours.json<{ total: number }>('GET', '/api/v1/containers');
  const s = service;
  const heap = () => s.ask<Heap>({ type: 'heap' });
  const idle = await heap();
  console.log(`service idle (${listed.total} containers listed): rss ${mib(procMemory(s.pid).rss * MiB)} MiB, heapUsed after GC ${mib(idle.heapUsed)} MiB, heapTotal ${mib(idle.heapTotal)} MiB, external ${mib(idle.external)} MiB`);
  if (v.snapshot) log(`idle snapshot: ${(await s.ask<{ path: string }>({ type: 'snapshot', path: join(v.snapshot, 'idle.heapsnapshot') })).path}`);
  const rounds = Number(v.rounds);
  const requests = Number(v.requests);
  const concurrency = Number(v.concurrency);
  const used: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const started = performance.now();
    await listLoad(ours, requests, concurrency);
    const ms = performance.now() - started;
    const h = await heap();
    used.push(h.heapUsed);
    console.log(`round ${r}: ${requests} lists in ${Math.round(ms)} ms, rss ${mib(procMemory(s.pid).rss * MiB)} MiB, heapUsed after GC ${mib(h.heapUsed)} MiB`);
  }
  if (v.snapshot) log(`after-load snapshot: ${(await s.ask<{ path: string }>({ type: 'snapshot', path: join(v.snapshot, 'loaded.heapsnapshot') })).path}`);
  // Growth over the second half of the rounds: after warm-up (JIT, caches) it should be ~0.
  const half = Math.floor(used.length / 2);
  const growth = used.length > 1 ? (used[used.length - 1]! - used[half]!) / MiB : 0;
  console.log(`heapUsed growth over rounds ${half + 1}..${used.length}: ${growth.toFixed(2)} MiB`);
  console.log(`BENCH_JSON ${JSON.stringify({ bareRssMiB: bare.rss / MiB, idleHeapUsedMiB: idle.heapUsed / MiB, heapUsedPerRoundMiB: used.map((u) => u / MiB), growthMiB: growth })}`);
} catch (err) {
  if (!exit.interrupted()) log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  exit.dispose();
}
