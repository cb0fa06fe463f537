import { parseArgs } from 'node:util';

export interface BenchSettings {
  /** Bench containers to create. */
  containers: number;
  /** How many of them run; the rest are created but never started. */
  running: number;
  /** Measured sequential iterations of list and details. */
  iterations: number;
  /** Concurrent clients of the list throughput run. */
  concurrency: number;
  /** Milliseconds each side gets per throughput slice (two slices each, interleaved). */
  throughputMs: number;
  /** Measured rounds of "stats of every running container". */
  rounds: number;
  /** Running containers stopped one after another to time how fast our API shows it. */
  stops: number;
  /** The service's STATS_INTERVAL_MS. */
  statsIntervalMs: number;
  /** Containers created or removed concurrently. */
  batch: number;
  /** Connection counts of the autocannon list load (ours vs the engine at each). */
  connections: number[];
  /** Seconds per side per connection count. */
  loadSeconds: number;
  /** Sequential 304 revalidations of the list. */
  revalidations: number;
  /** Measured rounds of the group start scenario (bench/groups.ts). */
  groupRounds: number;
  skipGroups: boolean;
  skipDashboard: boolean;
  skipLogsearch: boolean;
  skipEngines: boolean;
  image: string;
  socketPath: string;
}

export const USAGE = `usage: npm run bench -- [--containers N] [--running M] [--iterations K] [--concurrency C]
       [--throughput-ms T] [--rounds R] [--stops S] [--stats-interval MS] [--batch B] [--image IMAGE] [--socket PATH]
       [--connections 10,100] [--load-seconds S] [--revalidations V] [--group-rounds G] [--skip-groups] [--skip-dashboard] [--skip-logsearch] [--skip-engines]
  --containers N       bench containers to create (default 200)
  --running M          how many of them run sleep 3600 (default 50, at least 1, at most N)
  --iterations K       measured sequential iterations of list and details (default 200)
  --concurrency C      concurrent clients for list throughput (default 8)
  --throughput-ms T    ms per side per throughput slice, 2 slices each (default 1000)
  --rounds R           measured rounds of stats for all M running containers (default 5)
  --stops S            running containers stopped to time change propagation (default 20, at most M)
  --stats-interval MS  the service's STATS_INTERVAL_MS (default 1000)
  --batch B            containers created/removed concurrently (default 16)
  --image IMAGE        local image to run, never pulled (default gdm-test-busybox:latest)
  --socket PATH        the engine's unix socket (default /var/run/docker.sock)
  --connections LIST   autocannon connection counts for list load, ours vs engine (default 10,100)
  --load-seconds S     seconds per side per connection count (default 10)
  --revalidations V    sequential 304 revalidations of the list (default 1000)
  --group-rounds G     rounds of the 3 tiers x 10 group start (bench/groups.ts; default 2)
  --skip-groups        leave out the group start scenario
  --skip-dashboard     leave out the dashboard scenario (bench/dashboard.ts; needs dist/web)
  --skip-logsearch     leave out the log search scenario (bench/logsearch.ts: 5 containers x 100,000 lines)
  --skip-engines       leave out the two-engine scenario (bench/engines.ts: the first engine and e2, scripts/setup-test-engines.sh)`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}\n${USAGE}`);
  return Number(raw);
}

/** Parses the command line; throws with the usage text when a flag is wrong. Returns undefined for --help. */
export function parseBenchArgs(argv: string[]): BenchSettings | undefined {
  const flags = ['containers', 'running', 'iterations', 'concurrency', 'throughput-ms', 'rounds', 'stops', 'stats-interval', 'batch', 'image', 'socket', 'connections', 'load-seconds', 'revalidations', 'group-rounds'];
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])),
      'skip-groups': { type: 'boolean' },
      'skip-dashboard': { type: 'boolean' },
      'skip-logsearch': { type: 'boolean' },
      'skip-engines': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = values as Record<string, string | undefined> & { help?: boolean; 'skip-groups'?: boolean; 'skip-dashboard'?: boolean; 'skip-logsearch'?: boolean; 'skip-engines'?: boolean };
  if (v.help) return undefined;
  const containers = positiveInt('containers', v.containers, 200);
  const running = positiveInt('running', v.running, 50);
  if (running > containers) throw new Error(`--running (${running}) cannot exceed --containers (${containers})\n${USAGE}`);
  const stops = positiveInt('stops', v.stops, Math.min(20, running));
  if (stops > running) throw new Error(`--stops (${stops}) cannot exceed --running (${running})\n${USAGE}`);
  return {
    containers,
    running,
    iterations: positiveInt('iterations', v.iterations, 200),
    concurrency: positiveInt('concurrency', v.concurrency, 8),
    throughputMs: positiveInt('throughput-ms', v['throughput-ms'], 1000, 100),
    rounds: positiveInt('rounds', v.rounds, 5),
    stops,
    statsIntervalMs: positiveInt('stats-interval', v['stats-interval'], 1000, 250),
    batch: positiveInt('batch', v.batch, 16),
    connections: (v.connections ?? '10,100').split(',').map((c) => positiveInt('connections', c.trim(), 10)),
    loadSeconds: positiveInt('load-seconds', v['load-seconds'], 10),
    revalidations: positiveInt('revalidations', v.revalidations, 1000),
    groupRounds: positiveInt('group-rounds', v['group-rounds'], 2),
    skipGroups: v['skip-groups'] === true,
    skipDashboard: v['skip-dashboard'] === true,
    skipLogsearch: v['skip-logsearch'] === true,
    skipEngines: v['skip-engines'] === true,
    image: v.image ?? 'gdm-test-busybox:latest',
    socketPath: v.socket ?? '/var/run/docker.sock',
  };
}

/**
 * The command line read by `parse`: its settings, or the exit code when there is nothing to
 * run (usage asked for: printed, 0; a bad flag: the message, 2).
 */
export function readCommandLine<T>(parse: (argv: string[]) => T | undefined, usage: string, argv: string[]): { settings: T } | { code: number } {
  let settings: T | undefined;
  try {
    settings = parse(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return { code: 2 };
  }
  if (settings === undefined) {
    process.stdout.write(`${usage}\n`);
    return { code: 0 };
  }
  return { settings };
}
