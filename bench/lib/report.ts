import type { BenchSettings } from './args.js';
import { renderTable, type Row } from './table.js';

export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
}

export interface Report {
  settings: BenchSettings;
  engineVersion: EngineVersion;
  engineContainers: number;
  rows: Row[];
  phasesMs: Record<string, number>;
  leftovers: number;
  notes: string[];
}

const seconds = (ms: number | undefined) => Math.round((ms ?? 0) / 100) / 10;

/** The printed report: a header, the table, a summary of the targets, and one BENCH_JSON line. */
export function printReport(r: Report): void {
  const v = r.engineVersion;
  const s = r.settings;
  const targets = r.rows.filter((x) => x.target);
  const passed = targets.filter((x) => x.target?.pass).length;
  const phases = Object.entries(r.phasesMs)
    .map(([k, ms]) => `${k} ${seconds(ms)} s`)
    .join(', ');
  const out = [
    '',
    `gui-docker-manager benchmark — ${new Date().toISOString()}`,
    `engine: Docker ${v.Version} (API ${v.ApiVersion}, ${v.Os}/${v.Arch}, kernel ${v.KernelVersion}); node ${process.version}`,
    `settings: containers N=${s.containers} (engine held ${r.engineContainers} in all), running M=${s.running}, iterations K=${s.iterations}, ` +
      `concurrency ${s.concurrency}, stats rounds ${s.rounds}, stops ${s.stops}, STATS_INTERVAL_MS ${s.statsIntervalMs}, ` +
      `autocannon ${s.connections.join('/')} connections x ${s.loadSeconds} s per side, revalidations ${s.revalidations}, group rounds ${s.skipGroups ? 'skipped' : s.groupRounds}`,
    'list load: ours as a developer token limited to two bench groups (auth + RBAC on every request) vs the engine list of everything; autocannon runs in this process (its latencies have 1 ms resolution).',
    'the machine may be shared: numbers are noisy unless it is quiet; compare ratios from the same run.',
    'ours = the service as its own process (node dist/src/cli.js serve) over TCP on 127.0.0.1; engine = its API on the unix socket.',
    'ratio = ours / engine (lower is better, except throughput); calls interleaved, keep-alive on both sides; RSS is the service process alone.',
    ...r.notes.map((n) => `note: ${n}`),
    '',
    renderTable(r.rows),
    '',
    `targets: ${passed}/${targets.length} met`,
    `phases: ${phases}; leftover bench containers: ${r.leftovers}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const json = {
    date: new Date().toISOString(),
    engine: { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch, kernel: v.KernelVersion },
    node: process.version,
    settings: { ...s, engineContainers: r.engineContainers },
    phasesMs: Object.fromEntries(Object.entries(r.phasesMs).map(([k, ms]) => [k, Math.round(ms)])),
    targets: { met: passed, total: targets.length },
    leftovers: r.leftovers,
    notes: r.notes,
    results: r.rows,
  };
  process.stdout.write(`BENCH_JSON ${JSON.stringify(json)}\n`);
}
