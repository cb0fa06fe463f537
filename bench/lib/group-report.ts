import type { CliRun, OursRun } from './group-sides.js';
import { summarize } from './percentiles.js';
import type { EngineVersion } from './report.js';
import { renderTable, row, type Row } from './table.js';
import type { Tier } from './tiers.js';

export interface Round {
  order: string[];
  ours: { start: OursRun; stop: OursRun };
  /** docker start one by one, no health wait. */
  cli: CliRun;
  /** docker start one by one with a health wait per tier, then docker stop one by one. */
  health: { start: CliRun; stop: CliRun };
  /** The engine API: each tier's starts at once, then polled healthy (the floor of a health-gated start). */
  floor: CliRun;
}

export interface GroupReport {
  settings: { perTier: number; rounds: number; image: string; socketPath: string };
  tiers: Tier[];
  engineVersion: EngineVersion;
  rounds: Round[];
  phasesMs: Record<string, number>;
  leftovers: number;
}

const sec = (ms: number) => ms / 1000;
const p50 = (xs: number[]) => summarize(xs).p50;
const min = (xs: number[]) => summarize(xs).min;
const ms = (x: number) => `${Math.round(x)} ms`;
const spread = (xs: number[]) => {
  const s = summarize(xs);
  return `p50 ${ms(s.p50)}, min ${ms(s.min)}, max ${ms(s.max)} (n=${s.n})`;
};

/** The group bench's table rows (ratio = ours / docker CLI). */
export function groupRows(r: GroupReport): Row[] {
  const n = `${r.tiers.length}×${r.settings.perTier}`;
  const oursStart = r.rounds.map((x) => x.ours.start.ms);
  const cli = r.rounds.map((x) => x.cli.ms);
  const health = r.rounds.map((x) => x.health.start.ms);
  const oursStop = r.rounds.map((x) => x.ours.stop.ms);
  const cliStop = r.rounds.map((x) => x.health.stop.ms);
  const pair = (label: string, a: number[], b: number[]) => [
    row(`${label}, p50`, 's', sec(p50(a)), sec(p50(b))),
    row(`${label}, min`, 's', sec(min(a)), sec(min(b))),
  ];
  const perTier = r.tiers.map((t, k) =>
    row(
      `  tier ${t.level} start p50: ours group vs CLI tier starts + health wait`,
      's',
      sec(p50(r.rounds.map((x) => x.ours.start.result.groups[k]?.durationMs ?? NaN))),
      sec(p50(r.rounds.map((x) => (x.health.start.tiers[k]?.startsMs ?? NaN) + (x.health.start.tiers[k]?.waitMs ?? NaN)))),
    ),
  );
  const floor = r.rounds.map((x) => x.floor.ms);
  return [
    ...pair(`start ${n}: ours (withDependencies, health-gated) vs docker start one by one`, oursStart, cli),
    ...pair(`start ${n}: ours vs docker start one by one + wait healthy per tier`, oursStart, health),
    ...pair(`start ${n}: ours vs the engine's floor (API, a tier's starts at once, then healthy)`, oursStart, floor),
    row(`  engine floor ÷ docker start one by one, p50 (the 0.5 target is out of reach when this is above it)`, 'x', p50(floor) / p50(cli), null),
    ...pair(`stop ${n}: ours (withDependencies from t1) vs docker stop one by one`, oursStop, cliStop),
    ...perTier,
  ];
}

function notes(r: GroupReport): string[] {
  const checked = new Set(r.tiers.flatMap((t) => t.containers.filter((c) => c.checked).map((c) => c.name)));
  const outcomes = r.rounds.flatMap((x) => x.ours.start.result.groups.flatMap((g) => g.steps.flatMap((s) => s.containers)));
  const stepsPerGroup = r.rounds[0]?.ours.start.result.groups.map((g) => g.steps.length).join('/') ?? '?';
  const serverMs = r.rounds.map((x) => x.ours.start.result.durationMs);
  const http = r.rounds.map((x) => x.ours.start.ms - x.ours.start.result.durationMs);
  const waits = r.rounds.flatMap((x) => x.health.start.tiers.map((t) => t.waitMs));
  const polls = r.rounds.flatMap((x) => x.health.start.tiers.map((t) => t.polls));
  return [
    `sides alternate per round (${r.rounds.map((x) => x.order.join(' → ')).join(' | ')}); one untimed warm-up start + stop of ours first`,
    `every other container has a healthcheck (CMD true, interval 500 ms, 1 retry): ${checked.size} of ${r.tiers.length * r.settings.perTier}; StopTimeout 1 s, stops with timeout 1 on both sides`,
    `ours start server-side durationMs ${spread(serverMs)}; HTTP + JSON around it ${spread(http)}; steps per group ${stepsPerGroup}`,
    `ours per container (start call → store sees running [+ healthy]): no healthcheck ${spread(outcomes.filter((o) => !checked.has(o.name)).map((o) => o.durationMs))}; ` +
      `healthcheck ${spread(outcomes.filter((o) => checked.has(o.name)).map((o) => o.durationMs))}`,
    `CLI: one \`docker start\` ${spread(r.rounds.flatMap((x) => [...x.cli.callsMs, ...x.health.start.callsMs]))}; one \`docker stop --timeout 1\` ${spread(r.rounds.flatMap((x) => x.health.stop.callsMs))}`,
    `CLI + health: wait after a tier's last docker start ${spread(waits)}, docker inspect polls per tier p50 ${p50(polls)}`,
    `engine floor per tier: ${r.settings.perTier} parallel start calls ${spread(r.rounds.flatMap((x) => x.floor.tiers.map((t) => t.startsMs)))}; ` +
      `then until healthy (engine events) ${spread(r.rounds.flatMap((x) => x.floor.tiers.map((t) => t.waitMs)))}`,
    'the plain CLI variant does not wait for health: when it returns, the healthchecked containers are still "starting"',
  ];
}

/** Prints the header, table, notes and one BENCH_JSON line. */
export function summarizeRounds(r: GroupReport): void {
  const v = r.engineVersion;
  const table = groupRows(r);
  const noteList = notes(r);
  const phases = Object.entries(r.phasesMs).map(([k, x]) => `${k} ${(x / 1000).toFixed(1)} s`).join(', ');
  const out = [
    '',
    `gui-docker-manager group start benchmark — ${new Date().toISOString()}`,
    `engine: Docker ${v.Version} (API ${v.ApiVersion}, ${v.Os}/${v.Arch}, kernel ${v.KernelVersion}); node ${process.version}`,
    `settings: ${r.tiers.length} tiers (t2 → t1, t3 → t2) × ${r.settings.perTier} containers, rounds ${r.settings.rounds}, image ${r.settings.image}`,
    'ours = one POST /api/v1/services/<t3>/start?withDependencies=true&stepTimeout=60 to the service (own process, TCP 127.0.0.1), whole call timed;',
    'docker CLI = `docker start <name>` per container, sequential, tier order (a new CLI process each, as a script does). ratio = ours / CLI, lower is better.',
    ...noteList.map((x) => `note: ${x}`),
    '',
    renderTable(table, 'docker CLI'),
    '',
    `phases: ${phases}; leftover bench containers: ${r.leftovers}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const json = {
    date: new Date().toISOString(),
    bench: 'groups',
    engine: { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch, kernel: v.KernelVersion },
    node: process.version,
    settings: { ...r.settings, tiers: r.tiers.length },
    phasesMs: Object.fromEntries(Object.entries(r.phasesMs).map(([k, x]) => [k, Math.round(x)])),
    leftovers: r.leftovers,
    notes: noteList,
    results: table,
    samplesMs: r.rounds.map((x) => ({
      order: x.order,
      oursStart: Math.round(x.ours.start.ms),
      oursStartServer: x.ours.start.result.durationMs,
      oursTiers: x.ours.start.result.groups.map((g) => g.durationMs),
      oursStop: Math.round(x.ours.stop.ms),
      oursStopTiers: x.ours.stop.result.groups.map((g) => g.durationMs),
      cliStart: Math.round(x.cli.ms),
      cliHealthStart: Math.round(x.health.start.ms),
      cliHealthTiers: x.health.start.tiers.map((t) => ({ starts: Math.round(t.startsMs), wait: Math.round(t.waitMs) })),
      cliStop: Math.round(x.health.stop.ms),
      engineFloor: Math.round(x.floor.ms),
      engineFloorTiers: x.floor.tiers.map((t) => ({ starts: Math.round(t.startsMs), wait: Math.round(t.waitMs) })),
    })),
  };
  process.stdout.write(`BENCH_JSON ${JSON.stringify(json)}\n`);
}
