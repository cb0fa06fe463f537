/**
 * Node/V8 flags for the service, side by side (issue 13, memory): one service per flag set,
 * all at once on the same engine, then for each: RSS idle, list throughput and p99 at each
 * connection count (autocannon, a developer with RBAC, the sets taking turns), RSS after.
 *
 *   node --import tsx bench/node-flags.ts [--sets ",--max-semi-space-size=2"] [--connections 10,100]
 *        [--seconds 5] [--rounds 2]
 *
 * --sets: flag sets separated by commas, flags within a set by spaces; an empty set is
 * node's defaults. Lists whatever containers the engine has (make some with bench/hotpath.ts --keep).
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuilt } from './lib/build.js';
import { cleanupOnExit } from './lib/exit-cleanup.js';
import { procMemory } from './lib/proc-memory.js';
import { benchAdmin, developerToken } from './lib/service-auth.js';
import { ServiceProcess } from './lib/service-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`node-flags: ${message}\n`);
const { values: v } = parseArgs({
  options: {
    sets: { type: 'string', default: ',--max-semi-space-size=2' },
    connections: { type: 'string', default: '10,100' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    socket: { type: 'string', default: '/var/run/docker.sock' },
  },
});

interface Side {
  flags: string[];
  service: ServiceProcess;
  idle: number;
  results: Map<number, { reqs: number; seconds: number; p99: number[] }>;
  after: number;
}

const dir = mkdtempSync(join(tmpdir(), 'gdm-node-flags-'));
const sides: Side[] = [];
const exit = cleanupOnExit(async () => {
  await Promise.all(sides.map((s) => s.service.stop()));
  rmSync(dir, { recursive: true, force: true });
}, log);
try {
  const { entry } = await ensureBuilt(ROOT, log);
  const admin = benchAdmin(join(dir, 'data'), []);
  const groups = join(dir, 'groups.yaml');
  writeFileSync(groups, 'groups:\n  nf-a:\n    description: bench\n');
  const developer = { authorization: `Bearer ${await developerToken(admin, ['*'])}` };
  for (const [k, set] of v.sets.split(',').entries()) {
    const flags = set.split(' ').filter(Boolean);
    const service = new ServiceProcess({ entry, cwd: ROOT, socketPath: v.socket, statsIntervalMs: 1000, env: { ...admin.env, DATA_DIR: join(dir, `data${k}`), SERVICE_GROUPS_FILE: groups }, execArgv: flags, noDeploymentFlags: true });
    (await service.start()).close();
    sides.push({ flags, service, idle: 0, results: new Map(), after: 0 });
  }
  await new Promise((r) => setTimeout(r, 2000));
  for (const s of sides) s.idle = procMemory(s.service.pid).rss;
  const seconds = Number(v.seconds);
  for (let round = 0; round < Number(v.rounds); round++) {
    for (const c of v.connections.split(',').map(Number)) {
      for (const s of round % 2 === 0 ? sides : [...sides].reverse()) {
        const url = `http://127.0.0.1:${s.service.port}/api/v1/containers`;
        const r = await autocannon({ url, headers: developer, connections: c, duration: seconds, pipelining: 1, timeout: 30 });
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${s.flags.join(' ')}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        const got = s.results.get(c) ?? { reqs: 0, seconds: 0, p99: [] };
        got.reqs += r.requests.total;
        got.seconds += r.duration;
        got.p99.push(r.latency.p99);
        s.results.set(c, got);
        s.after = procMemory(s.service.pid).rss;
      }
    }
  }
  for (const s of sides) {
    const load = [...s.results].map(([c, r]) => `${c} conns ${(r.reqs / r.seconds).toFixed(0)} req/s p99 ${r.p99.join('/')} ms`).join(', ');
    const hwm = procMemory(s.service.pid).hwm;
    console.log(`[${s.flags.join(' ') || 'defaults'}] RSS idle ${s.idle.toFixed(0)} MiB, after load ${s.after.toFixed(0)} MiB, peak ${hwm.toFixed(0)} MiB; ${load}`);
  }
} catch (err) {
  if (!exit.interrupted()) log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await Promise.all(sides.map((s) => s.service.stop()));
  rmSync(dir, { recursive: true, force: true });
  exit.dispose();
}
