import type { GroupActionResult, GroupSummary } from '../../src/groups/schemas.js';
import type { DockerCli } from './docker-cli.js';
import type { HttpClient } from './http-client.js';
import http from 'node:http';
import { RUN_LABEL } from './fixture.js';
import { expectState, type Tier } from './tiers.js';

/** What both sides of the group bench act on. */
export interface GroupBench {
  engine: HttpClient;
  /** Our service, with a timeout long enough for a whole group start. */
  ours: HttpClient;
  cli: DockerCli;
  runId: string;
  tiers: Tier[];
  /** The engine's unix socket (its event stream). */
  socketPath: string;
}

export interface OursRun {
  ms: number;
  result: GroupActionResult;
}

export interface CliTier {
  /** The tier's `docker start` calls, back to back. */
  startsMs: number;
  /** Then polling `docker inspect` until its healthchecked members are healthy (0 without the wait). */
  waitMs: number;
  polls: number;
}

export interface CliRun {
  ms: number;
  callsMs: number[];
  tiers: CliTier[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until our service shows every tier with all its members stopped (its store caught up with the engine). */
export async function waitOursStopped(b: GroupBench, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { groups } = await b.ours.json<{ groups: GroupSummary[] }>('GET', '/api/v1/services');
    const done = b.tiers.every((t) => {
      const g = groups.find((x) => x.name === t.group);
      return g?.members.total === t.containers.length && g.members.stopped === t.containers.length;
    });
    if (done) return;
    if (performance.now() > deadline) throw new Error(`our service does not show every bench tier stopped after ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function oursAction(b: GroupBench, path: string): Promise<OursRun> {
  const started = performance.now();
  const res = await b.ours.request('POST', path);
  const ms = performance.now() - started;
  const text = res.body.toString('utf8');
  if (res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  const result = JSON.parse(text) as GroupActionResult;
  if (!result.ok) throw new Error(`POST ${path} answered 200 without ok: ${text.slice(0, 500)}`);
  return { ms, result };
}

/** Ours: the top tier with its dependencies, health-gated (timed: the whole HTTP call). */
export async function oursStart(b: GroupBench): Promise<OursRun> {
  await waitOursStopped(b);
  const top = b.tiers.at(-1)?.group ?? '';
  const run = await oursAction(b, `/api/v1/services/${top}/start?withDependencies=true&stepTimeout=60`);
  await expectState(b.engine, b.runId, b.tiers, 'up');
  return run;
}

/** Ours: the bottom tier with its dependants, so the top tier stops first. */
export async function oursStop(b: GroupBench): Promise<OursRun> {
  const bottom = b.tiers[0]?.group ?? '';
  const run = await oursAction(b, `/api/v1/services/${bottom}/stop?withDependencies=true&timeout=1&stepTimeout=60`);
  await expectState(b.engine, b.runId, b.tiers, 'stopped');
  return run;
}

/** docker start one container at a time, tier after tier; with `healthWait`, each tier is waited healthy before the next. */
export async function cliStart(b: GroupBench, healthWait: boolean): Promise<CliRun> {
  await expectState(b.engine, b.runId, b.tiers, 'stopped');
  const callsMs: number[] = [];
  const tiers: CliTier[] = [];
  const started = performance.now();
  for (const tier of b.tiers) {
    const t0 = performance.now();
    for (const c of tier.containers) callsMs.push((await b.cli.exec(['start', c.name])).ms);
    const t1 = performance.now();
    const checked = tier.containers.filter((c) => c.checked).map((c) => c.name);
    const polls = healthWait ? await b.cli.waitHealthy(checked, 60_000) : 0;
    tiers.push({ startsMs: t1 - t0, waitMs: performance.now() - t1, polls });
  }
  const ms = performance.now() - started;
  await expectState(b.engine, b.runId, b.tiers, healthWait ? 'up' : 'running');
  return { ms, callsMs, tiers };
}

/**
 * The engine's events of this run's containers (start, health_status), as they come: the
 * engine floor waits on them as our service does, with no polling of its own.
 */
function engineEvents(socketPath: string, runId: string, onEvent: (e: { status: string; id: string }) => void): { close(): void; opened: Promise<void> } {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${runId}`], type: ['container'] }));
  let buffered = '';
  let opened!: () => void;
  const ready = new Promise<void>((resolve) => (opened = resolve));
  const req = http.request({ socketPath, path: `/events?filters=${filters}`, method: 'GET' }, (res) => {
    opened();
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) onEvent(JSON.parse(line) as { status: string; id: string });
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { close: () => req.destroy(), opened: ready };
}

/**
 * The engine's own floor for the same job: through its API, each tier's starts all at once,
 * then waiting (on the engine's events, like ours) until the tier's healthchecked members
 * are healthy, tier after tier: what a health-gated start must wait for, with nothing of
 * ours in between. Each tier's starts and wait are timed apart.
 */
export async function engineFloorStart(b: GroupBench, socketPath: string): Promise<CliRun> {
  await expectState(b.engine, b.runId, b.tiers, 'stopped');
  const healthy = new Set<string>();
  let wake: (() => void) | undefined;
  const events = engineEvents(socketPath, b.runId, (e) => {
    if (e.status === 'health_status: healthy') healthy.add(e.id);
    wake?.();
  });
  try {
    await events.opened;
    const callsMs: number[] = [];
    const tiers: CliTier[] = [];
    const started = performance.now();
    for (const tier of b.tiers) {
      const t0 = performance.now();
      await Promise.all(
        tier.containers.map(async (c) => {
          const s = performance.now();
          await b.engine.expect('POST', `/containers/${c.id}/start`, [204, 304]);
          callsMs.push(performance.now() - s);
        }),
      );
      const t1 = performance.now();
      const checked = tier.containers.filter((c) => c.checked);
      let polls = 0;
      while (!checked.every((c) => healthy.has(c.id))) {
        polls++;
        if (performance.now() - t1 > 60_000) throw new Error(`tier ${tier.level} not healthy after 60 s`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000);
        });
      }
      tiers.push({ startsMs: t1 - t0, waitMs: performance.now() - t1, polls });
    }
    const ms = performance.now() - started;
    await expectState(b.engine, b.runId, b.tiers, 'up');
    return { ms, callsMs, tiers };
  } finally {
    events.close();
  }
}

/** docker stop --timeout 1 one container at a time, top tier first (the reverse of start). */
export async function cliStop(b: GroupBench): Promise<CliRun> {
  const callsMs: number[] = [];
  const started = performance.now();
  for (const tier of [...b.tiers].reverse()) {
    for (const c of [...tier.containers].reverse()) callsMs.push((await b.cli.exec(['stop', '--timeout', '1', c.name])).ms);
  }
  const ms = performance.now() - started;
  await expectState(b.engine, b.runId, b.tiers, 'stopped');
  return { ms, callsMs, tiers: [] };
}

/** Untimed: stops every container at once through the engine API. */
export async function engineStopAll(b: GroupBench): Promise<void> {
  await Promise.all(b.tiers.flatMap((t) => t.containers).map((c) => b.engine.expect('POST', `/containers/${c.id}/stop?t=1`, [204, 304])));
  await expectState(b.engine, b.runId, b.tiers, 'stopped');
}
