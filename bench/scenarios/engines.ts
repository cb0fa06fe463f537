import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EngineEventReader } from '../lib/engine-events.js';
import { RUN_LABEL, type ContainerFixture } from '../lib/fixture.js';
import type { HttpClient } from '../lib/http-client.js';
import { interleaved } from '../lib/measure.js';
import { summarize } from '../lib/percentiles.js';
import { SseReader, type SseEvent } from '../lib/sse-reader.js';
import { below, ratioAtMost, row, type Row } from '../lib/table.js';
import { sleep, warmupCount } from './context.js';

const run = promisify(execFile);
const WAIT_MS = 10_000;
const POLL_MS = 5;

/** One engine of the two: its own API, the CLI's environment for it, and the bench containers on it. */
export interface BenchEngine {
  name: string;
  socketPath: string;
  api: HttpClient;
  fixture: ContainerFixture;
}

export interface TwoEngineContext {
  ours: HttpClient;
  port: number;
  auth: Record<string, string>;
  runId: string;
  engines: [BenchEngine, BenchEngine];
  iterations: number;
  rounds: number;
  stops: number;
  log: (message: string) => void;
}

const runFilter = (runId: string) => encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }));
const ourLabel = (runId: string) => encodeURIComponent(`${RUN_LABEL}=${runId}`);

/**
 * The run's containers on both engines, through us (one merged list) against each engine's
 * own `GET /containers/json?all=1` with the same label filter: both engines at once (what a
 * client of the two must do; wall time = the slower) and each alone (their sum = one after
 * the other). Interleaved, rotating order. Checks first that we list every one with its engine.
 */
export async function listTwo(ctx: TwoEngineContext): Promise<Row[]> {
  const { ours, engines, runId, iterations: k, log } = ctx;
  const oursPath = `/api/v1/containers?label=${ourLabel(runId)}`;
  const enginePath = `/containers/json?all=1&filters=${runFilter(runId)}`;
  const list = await ours.json<{ total: number; containers: { id: string; engine: string }[] }>('GET', oursPath);
  for (const e of engines) {
    const mine = new Set(list.containers.filter((c) => c.engine === e.name).map((c) => c.id));
    const missing = e.fixture.containers.filter((c) => !mine.has(c.id)).length;
    if (missing > 0) throw new Error(`our list lacks ${missing} of ${e.name}'s bench containers (or names the wrong engine)`);
  }
  const [a, b] = engines;
  log(`list of ${list.total} on two engines: ${k} iterations (+${warmupCount(k)} warm-up), interleaved`);
  const { samples } = await interleaved(
    {
      ours: () => ours.expect('GET', oursPath),
      both: () => Promise.all([a.api.expect('GET', enginePath), b.api.expect('GET', enginePath)]),
      first: () => a.api.expect('GET', enginePath),
      second: () => b.api.expect('GET', enginePath),
    },
    k,
    warmupCount(k),
  );
  const o = summarize(samples.ours);
  const both = summarize(samples.both);
  const first = summarize(samples.first);
  const second = summarize(samples.second);
  const n = list.total;
  return [
    row(`2 engines: list ${n} p50 vs both engines' lists at once`, 'ms', o.p50, both.p50, ratioAtMost(0.1)),
    row(`2 engines: list ${n} p50 vs the two one after the other (sum of p50)`, 'ms', o.p50, first.p50 + second.p50),
    row(`  ${a.name}'s own list of its ${a.fixture.containers.length}, p50 (reference)`, 'ms', null, first.p50),
    row(`  ${b.name}'s own list of its ${b.fixture.containers.length}, p50 (reference)`, 'ms', null, second.p50),
    row(`2 engines: list ${n} p99 vs both at once`, 'ms', o.p99, both.p99),
  ];
}

/**
 * Usage of every running bench container on both engines: one call to our totals endpoint
 * against one `stats?stream=false` call per container, all in parallel on both engines.
 * Waits (time-limited) until our collector covers all of them first.
 */
export async function statsTwo(ctx: TwoEngineContext): Promise<Row[]> {
  const { ours, engines, runId, rounds, log } = ctx;
  const running = engines.flatMap((e) => e.fixture.running.map((c) => ({ api: e.api, id: c.id })));
  const m = running.length;
  const path = `/api/v1/stats?label=${ourLabel(runId)}`;
  const covered = async () => (await ours.json<{ totals: { containers: number } }>('GET', path)).totals.containers;
  const deadline = performance.now() + 30_000;
  for (let n = await covered(); n !== m; n = await covered()) {
    if (performance.now() > deadline) throw new Error(`our stats cover ${n} of ${m} running containers after 30 s`);
    await sleep(100);
  }
  log(`stats of ${m} running on two engines: ${rounds} rounds (+1 warm-up), interleaved`);
  const { samples } = await interleaved(
    {
      ours: async () => {
        const n = (await ours.json<{ totals: { containers: number } }>('GET', path)).totals.containers;
        if (n !== m) log(`note: our stats covered ${n} of ${m}`);
      },
      engines: () => Promise.all(running.map((c) => c.api.expect('GET', `/containers/${c.id}/stats?stream=false`))),
    },
    rounds,
    1,
  );
  const o = summarize(samples.ours);
  const e = summarize(samples.engines);
  return [
    row(`2 engines: stats of ${m} running with totals, p50 vs ${m} parallel stream=false`, 'ms', o.p50, e.p50, ratioAtMost(0.05, 'ours >= 20x faster')),
    row(`2 engines: stats of ${m} running, max`, 'ms', o.max, e.max),
  ];
}

function exitedOn(engine: string, id: string) {
  return (e: SseEvent) => {
    if (e.event !== 'container') return false;
    const change = JSON.parse(e.data) as { id: string; engine: string; container?: { state: string } };
    return change.id === id && change.engine === engine && change.container?.state === 'exited';
  };
}

/** Polls `GET /api/v1/containers/{engine}:{id}` until it says exited; resolves to when it did. */
async function pollExited(ours: HttpClient, engine: string, id: string): Promise<number> {
  const deadline = performance.now() + WAIT_MS;
  while (performance.now() < deadline) {
    const started = performance.now();
    const c = await ours.json<{ state: string }>('GET', `/api/v1/containers/${encodeURIComponent(`${engine}:${id}`)}`);
    if (c.state === 'exited') return performance.now();
    await sleep(Math.max(0, POLL_MS - (performance.now() - started)));
  }
  throw new Error(`our API did not show ${engine}:${id.slice(0, 12)} exited within ${WAIT_MS} ms`);
}

/**
 * A change on the second engine: `docker stop -t 0` through the CLI with DOCKER_HOST naming
 * that engine, one container after another. From the moment the CLI is spawned, the time
 * until that engine's own `/events` has the `die` (reference: nothing of ours in between),
 * until our `/api/v1/events` delivers the container exited on that engine, and until our
 * `GET` says exited (polled every 5 ms). Leaves those containers stopped: it runs last.
 */
export async function propagationTwo(ctx: TwoEngineContext): Promise<Row[]> {
  const { ours, port, auth, engines, runId, stops, log } = ctx;
  const second = engines[1];
  const targets = second.fixture.running.slice(0, stops);
  log(`propagation: docker stop on ${second.name} (CLI), ${targets.length} containers one after another`);
  const theirs = await EngineEventReader.open(second.socketPath, { type: ['container'], event: ['die'], label: [`${RUN_LABEL}=${runId}`] });
  const reader = await SseReader.open('127.0.0.1', port, '/api/v1/events', auth).catch((err: unknown) => {
    theirs.close();
    throw err;
  });
  const cli: number[] = [];
  const engineSaw: number[] = [];
  const sse: number[] = [];
  const get: number[] = [];
  try {
    await reader.waitFor((e) => e.event === 'ready', 5_000);
    for (const target of targets) {
      const fromOurs = reader.events.length;
      const fromTheirs = theirs.events.length;
      const issued = performance.now();
      const event = reader.waitFor(exitedOn(second.name, target.id), WAIT_MS, fromOurs);
      const die = theirs.waitFor(target.id, 'die', WAIT_MS, fromTheirs);
      // Both waits are attached before the CLI runs; a failure of one must not leave the other unhandled.
      event.catch(() => undefined);
      die.catch(() => undefined);
      await run('docker', ['stop', '-t', '0', target.id], { env: { ...process.env, DOCKER_HOST: `unix://${second.socketPath}` }, timeout: 30_000 });
      cli.push(performance.now() - issued);
      target.running = false;
      get.push((await pollExited(ours, second.name, target.id)) - issued);
      sse.push((await event).at - issued);
      engineSaw.push((await die).at - issued);
    }
  } finally {
    reader.close();
    theirs.close();
  }
  const k = targets.length;
  const e = summarize(engineSaw);
  const s = summarize(sse);
  const g = summarize(get);
  const added = summarize(sse.map((at, i) => at - (engineSaw[i] ?? at)));
  return [
    row(`${second.name}: docker stop -> our /events delivers it, p50 of ${k} (ref: ${second.name}'s own /events)`, 'ms', s.p50, e.p50, below(500, 'ms')),
    row(`${second.name}: docker stop -> our /events, max`, 'ms', s.max, e.max, below(500, 'ms')),
    row(`  our /events after ${second.name}'s own die event (what we add), p50`, 'ms', added.p50, null),
    row(`${second.name}: docker stop -> our GET shows exited (poll ${POLL_MS} ms), p50 (ref: CLI returned)`, 'ms', g.p50, summarize(cli).p50, below(500, 'ms')),
    row(`${second.name}: docker stop -> our GET shows exited, max`, 'ms', g.max, summarize(cli).max, below(500, 'ms')),
  ];
}
