/**
 * The dashboard at 1,000 containers, in headless Chromium (Debian's, through playwright-core
 * as the e2e tests drive it): time to first render of the containers table and main-thread
 * cost per live stats update. Prints a table and one `BENCH_JSON {...}` line.
 *
 *   npm run build && npm run bench:dashboard -- --containers 1000 --rate 50 --seconds 5
 *
 * No engine and no service: a stub on 127.0.0.1 serves the built dashboard (dist/web) with
 * the service's CSP and answers the calls the containers page makes, in the real API shapes
 * (types from the generated client schema): /api/v1/auth/me, /api/v1/events?snapshot=true
 * (SSE: ready, a snapshot of N containers spread over two engines, optionally `container`
 * updates), /api/v1/engines (both reachable) and /api/v1/stats?stream=true (SSE: a full stats set of every running container, `rate` times
 * a second, which is far more than the service's one a second: the worst case). Anything
 * else gets the service's 404 shape and is logged.
 *
 * Numbers are from a shared machine unless run on a quiet one; they are noisy.
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { components, paths } from '../clients/typescript/src/generated/schema.js';
import { launchBrowser } from '../test/helpers/browser.js';

type ContainerSummary = components['schemas']['ContainerSummary'];
type Engine = components['schemas']['Engine'];
type Identity = paths['/api/v1/auth/me']['get']['responses']['200']['content']['application/json'];
type StatsSet = paths['/api/v1/stats']['get']['responses']['200']['content']['application/json'];
type Usage = StatsSet['containers'][number];

export interface DashboardOptions {
  containers: number;
  /** Full stats sets per second on the stats stream. */
  rate: number;
  /** `container` events per second on the events stream. */
  events: number;
  /** Length of the measured window under load. */
  seconds: number;
  /** The built dashboard (dist/web). */
  dist: string;
  /** Print nothing (bench/run.ts prints its own table and BENCH_JSON line). */
  quiet?: boolean;
}

export const DEFAULT_DIST = fileURLToPath(new URL('../dist/web', import.meta.url));
const log = (m: string) => process.stderr.write(`bench:dashboard: ${m}\n`);

// The service's Content-Security-Policy (src/access/http/security.ts): the bench renders under it.
const CSP = "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';object-src 'none';base-uri 'none';frame-ancestors 'none';form-action 'self'";

const hex = (i: number) => i.toString(16).padStart(8, '0').repeat(8);
const GROUPS = ['foundation', 'core', 'edge', 'workers', 'support'];
const STATES = ['running', 'running', 'running', 'running', 'exited'] as const;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
/**
 * Runs in the page before the app (plain script: the bench compiles without DOM types):
 * records long tasks, and when the table first holds rows with the count at "N of N".
 */
const PROBE = (n: number) => `
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const observer = new MutationObserver(() => {
    if (window.__firstRows !== undefined) return;
    const count = (document.querySelector('[data-testid="count"]')?.textContent ?? '').replace(/\\s+/g, ' ').trim();
    if (count === '${n} of ${n}' && document.querySelector('tbody tr[data-testid^="row-"]')) {
      window.__firstRows = performance.now();
      requestAnimationFrame(() => setTimeout(() => (window.__firstPaint = performance.now())));
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
`;

/** What PROBE leaves on the page's window (read inside page.evaluate). */
interface Probe {
  __long: { start: number; duration: number }[];
  __firstRows?: number;
  __firstPaint?: number;
}

type Metrics = Record<string, number>;

/**
 * Serves the stub, drives headless Chromium over it, prints the dashboard's table and its
 * BENCH_JSON line, and resolves to the result (bench/run.ts reads firstPaintMs and
 * perUpdateMainThreadMs from it).
 */
export async function runDashboard(opts: DashboardOptions) {
  const { containers: N, rate: RATE, events: EVENTS, seconds: SECONDS, dist: DIST } = opts;
  const containers: ContainerSummary[] = Array.from({ length: N }, (_, i) => {
    const group = i % 7 === 6 ? null : (GROUPS[i % GROUPS.length] as string);
    const state = STATES[i % STATES.length] as string;
    return {
      // Two engines, so the engine column and filter are rendered as with several hosts.
      engine: i % 2 === 0 ? 'local' : 'e2',
      id: hex(i + 1),
      name: `svc-${String(i).padStart(4, '0')}`,
      image: `registry.local/team-${i % 13}/app-${i % 29}:1.${i % 7}`,
      imageId: `sha256:${hex(i + 7)}`,
      command: 'node server.js',
      created: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      state,
      status: state === 'running' ? `Up ${1 + (i % 50)} minutes` : 'Exited (0) 2 hours ago',
      health: (['none', 'healthy', 'none', 'starting', 'unhealthy'] as const)[i % 5] ?? 'none',
      ports: i % 3 === 0 ? [{ privatePort: 8080, protocol: 'tcp', hostIp: '127.0.0.1', publicPort: 20_000 + i }] : [],
      labels: group ? { 'gdm.group': group } : ({} as Record<string, string>),
      composeProject: i % 4 === 0 ? `proj-${i % 11}` : null,
      composeService: i % 4 === 0 ? `app-${i % 29}` : null,
      group,
      groups: group ? [group] : [],
    };
  });
  const running = containers.filter((c) => c.state === 'running');

  /** A few distinct full stats sets, prepared once and cycled (the stub should not eat the CPU it measures). */
  const statsPayloads: string[] = Array.from({ length: 16 }, (_, k) => {
    const list: Usage[] = running.map((c, i) => {
      const usage = ((i * 37 + k * 101) % 997) * 1_048_576;
      return {
        engine: c.engine,
        id: c.id,
        name: c.name,
        read: new Date().toISOString(),
        cpuPercent: ((i * 13 + k * 7) % 400) / 4,
        onlineCpus: 2,
        memory: { usage, limit: 2 ** 32, percent: (usage / 2 ** 32) * 100 },
        network: { rxBytes: i * 1000 + k, txBytes: i * 500 + k },
        blockIo: { readBytes: i * 4096, writeBytes: i * 2048 },
        pids: 1 + (i % 20),
      };
    });
    const set: StatsSet = {
      sampledAt: new Date().toISOString(),
      containers: list,
      totals: { containers: list.length, cpuPercent: 0, memoryUsage: 0, rxBytes: 0, txBytes: 0, readBytes: 0, writeBytes: 0, pids: 0 },
    };
    return JSON.stringify(set);
  });

  const identity: Identity = { sub: 'bench', role: 'admin', permissions: ['READ', 'EXECUTE', 'WRITE', 'DELETE'], groups: [], seesUngrouped: true, engines: ['*'] };
  let statsOn = true;
  let statsSent = 0;
  const streams = new Set<ServerResponse>();

  /** Both engines reachable, with their share of the containers. */
  const engines = (): Engine[] =>
    ['local', 'e2'].map((name) => {
      const mine = containers.filter((c) => c.engine === name);
      return {
        name,
        url: name === 'local' ? 'unix:///var/run/docker.sock' : 'unix:///run/gdm-e2/docker.sock',
        required: name === 'local',
        reachable: true,
        synced: true,
        checkedAt: new Date().toISOString(),
        version: '20.10.24',
        apiVersion: '1.41',
        latencyMs: 1,
        containers: mine.length,
        running: mine.filter((c) => c.state === 'running').length,
        lastSeen: null,
        lastError: null,
        reconnects: 0,
      };
    });

  function sse(res: ServerResponse): (event: string, data: string, id?: number) => void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'content-security-policy': CSP });
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return (event, data, id) => void res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (url.pathname === '/api/v1/auth/me') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(identity));
    } else if (url.pathname === '/api/v1/events') {
      const send = sse(res);
      let seq = 1;
      send('ready', JSON.stringify({ lastEventId: seq }), seq);
      send('snapshot', JSON.stringify({ containers }), seq);
      if (EVENTS > 0) {
        const timer = setInterval(() => {
          const c = containers[(seq * 31) % N] as ContainerSummary;
          const changed = { ...c, status: `${c.status.split(' ·')[0]} · ${seq}` };
          seq++;
          send('container', JSON.stringify({ kind: 'updated', engine: c.engine, action: 'update', id: c.id, name: c.name, time: Date.now(), container: changed }), seq);
        }, 1000 / EVENTS);
        res.on('close', () => clearInterval(timer));
      }
    } else if (url.pathname === '/api/v1/stats') {
      const send = sse(res);
      let k = 0;
      send('stats', statsPayloads[0] as string);
      const timer = setInterval(() => {
        if (!statsOn) return;
        send('stats', statsPayloads[++k % statsPayloads.length] as string);
        statsSent++;
      }, 1000 / RATE);
      res.on('close', () => clearInterval(timer));
    } else if (url.pathname === '/api/v1/engines') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ engines: engines() }));
    } else if (url.pathname === '/ready') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
    } else if (!url.pathname.startsWith('/api/')) {
      const file = normalize(join(DIST, url.pathname === '/' ? 'index.html' : url.pathname));
      try {
        if (!file.startsWith(DIST)) throw new Error('outside dist');
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP }).end(readFileSync(file));
      } catch {
        res.writeHead(404).end();
      }
    } else {
      log(`unanswered call: ${req.method} ${url.pathname}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not in the stub' }, requestId: 'bench' }));
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && errors.push(m.text()));
    await page.addInitScript({ content: PROBE(N) });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Metrics> => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

    await page.goto(base);
    // Functions, not strings: the CSP forbids eval, and these run through CDP instead.
    await page.waitForFunction(() => (globalThis as unknown as Probe).__firstPaint !== undefined, undefined, { timeout: 60_000 });
    const first = await page.evaluate(() => {
      const w = globalThis as unknown as Probe;
      const before = w.__long.filter((t) => t.start < (w.__firstPaint ?? 0));
      return { rows: w.__firstRows ?? NaN, paint: w.__firstPaint ?? NaN, longest: Math.max(0, ...before.map((t) => t.duration)), longTasks: before.length };
    });
    const domRows = { rendered: await page.locator('tbody tr[data-testid^="row-"]').count(), all: await page.locator('tr').count() };

    /** Main-thread busy time (CDP TaskDuration) and script time over a window, with the stats sent in it. */
    const measure = async (seconds: number) => {
      const long0 = await page.evaluate(() => (globalThis as unknown as Probe).__long.length);
      const [m0, sent0, t0] = [await metrics(), statsSent, performance.now()];
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const [m1, sent1, t1] = [await metrics(), statsSent, performance.now()];
      const long = await page.evaluate((from) => (globalThis as unknown as Probe).__long.slice(from).map((t) => t.duration), long0);
      const secs = (t1 - t0) / 1000;
      const d = (k: string) => ((m1[k] ?? 0) - (m0[k] ?? 0)) * 1000; // CDP durations are in seconds
      return { secs, updates: sent1 - sent0, taskMs: d('TaskDuration'), scriptMs: d('ScriptDuration'), layoutMs: d('LayoutDuration') + d('RecalcStyleDuration'), longTasks: long.length, longest: Math.max(0, ...long) };
    };
    await new Promise((r) => setTimeout(r, 1000)); // let the first render settle
    const load = await measure(SECONDS);
    statsOn = false;
    await new Promise((r) => setTimeout(r, 1500)); // queued samples drain
    const idle = await measure(Math.min(3, SECONDS));
    const liveCpu = await page.locator('tbody tr[data-testid^="row-"] td.num').first().innerText();

    const perUpdate = load.updates > 0 ? load.taskMs / load.updates : NaN;
    const scriptPerUpdate = load.updates > 0 ? load.scriptMs / load.updates : NaN;
    const result = {
      containers: N,
      statsPerSecond: RATE,
      eventsPerSecond: EVENTS,
      firstRenderMs: round(first.rows),
      firstPaintMs: round(first.paint),
      firstRenderLongestTaskMs: round(first.longest),
      firstRenderLongTasks: first.longTasks,
      domRows: domRows.rendered,
      domTr: domRows.all,
      loadWindowS: round(load.secs),
      updates: load.updates,
      updatesPerSecond: round(load.updates / load.secs),
      mainThreadMsPerSecond: round(load.taskMs / load.secs),
      scriptMsPerSecond: round(load.scriptMs / load.secs),
      styleLayoutMsPerSecond: round(load.layoutMs / load.secs),
      idleMainThreadMsPerSecond: round(idle.taskMs / idle.secs),
      perUpdateMainThreadMs: round(perUpdate),
      perUpdateScriptMs: round(scriptPerUpdate),
      loadLongTasks: load.longTasks,
      loadLongestTaskMs: round(load.longest),
      liveCpuCell: liveCpu,
      pageErrors: errors,
      targets: { firstRenderMs: 1000, perUpdateMs: 8 },
      pass: { firstRender: first.paint <= 1000, perUpdate: perUpdate <= 8 },
    };
    const rows: [string, string, string][] = [
      ['first render (navigation → 1,000-row table painted)', `${result.firstPaintMs} ms (DOM ${result.firstRenderMs} ms)`, `≤ 1000 ms ${result.pass.firstRender ? 'PASS' : 'FAIL'}`],
      ['longest task before first render', `${result.firstRenderLongestTaskMs} ms (${first.longTasks} long tasks ≥ 50 ms)`, ''],
      ['rows in the DOM', `${domRows.rendered} of ${N}`, ''],
      ['stats updates delivered', `${load.updates} in ${result.loadWindowS} s (${result.updatesPerSecond}/s)`, ''],
      ['main-thread time per update', `${result.perUpdateMainThreadMs} ms (script ${result.perUpdateScriptMs} ms, busy time ÷ updates)`, `≤ 8 ms ${result.pass.perUpdate ? 'PASS' : 'FAIL'}`],
      ['main thread busy under load / idle', `${result.mainThreadMsPerSecond} / ${result.idleMainThreadMsPerSecond} ms per s`, ''],
      ['long tasks under load', `${load.longTasks} (longest ${result.loadLongestTaskMs} ms)`, ''],
    ];
    if (!opts.quiet) {
      const width = Math.max(...rows.map((r) => r[0].length));
      process.stdout.write(`\nDashboard, ${N} containers, ${RATE} stats sets/s${EVENTS ? `, ${EVENTS} container events/s` : ''} (headless Chromium; shared machine: noisy)\n`);
      for (const [metric, value, target] of rows) process.stdout.write(`  ${metric.padEnd(width)}  ${value}${target ? `   [${target}]` : ''}\n`);
      if (errors.length) process.stdout.write(`  page errors: ${errors.join(' | ')}\n`);
      process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
    }
    return result;
  } finally {
    for (const s of streams) s.destroy();
    await browser.close();
    server.close();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

// Only as the entry point (npm run bench:dashboard); bench/run.ts imports runDashboard.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values: args } = parseArgs({
    options: {
      containers: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '50' },
      events: { type: 'string', default: '0' },
      seconds: { type: 'string', default: '5' },
      dist: { type: 'string', default: DEFAULT_DIST },
    },
  });
  const opts = { containers: Number(args.containers), rate: Number(args.rate), events: Number(args.events), seconds: Number(args.seconds), dist: args.dist };
  runDashboard(opts).catch((err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  });
}
