import { parseArgs } from 'node:util';

export interface BenchSettings {
  /** Bench containers to create. */
  containers: number;
  /** How many of them run; the rest are created but never started. */
  running: number;
  /** Measured iterations of the fast calls (list, details). */
  iterations: number;
  /** Measured iterations of the single-container stats call (the engine takes ~1 s each). */
  statsIterations: number;
  /** Measured rounds of "stats of every running container at once". */
  rounds: number;
  /** Containers created or removed concurrently. */
  batch: number;
  image: string;
  socketPath: string;
}

export const USAGE = `usage: node --import tsx bench/run.ts [--containers N] [--running M] [--iterations K]
       [--stats-iterations S] [--rounds R] [--batch B] [--image IMAGE] [--socket PATH]
  --containers N        bench containers to create (default 50)
  --running M           how many of them run sleep 3600 (default 20, at least 1, at most N)
  --iterations K        measured iterations of list and details (default 200)
  --stats-iterations S  measured iterations of single-container stats (default 10)
  --rounds R            measured rounds of stats for all M running containers (default 3)
  --batch B             containers created/removed concurrently (default 16)
  --image IMAGE         local image to run, never pulled (default gdm-test-busybox:latest)
  --socket PATH         the engine's unix socket (default /var/run/docker.sock)`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}\n${USAGE}`);
  return Number(raw);
}

/** Parses the command line; throws with the usage text when a flag is wrong. Returns undefined for --help. */
export function parseBenchArgs(argv: string[]): BenchSettings | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      containers: { type: 'string' },
      running: { type: 'string' },
      iterations: { type: 'string' },
      'stats-iterations': { type: 'string' },
      rounds: { type: 'string' },
      batch: { type: 'string' },
      image: { type: 'string' },
      socket: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const containers = positiveInt('containers', values.containers, 50);
  const running = positiveInt('running', values.running, 20);
  if (running > containers) throw new Error(`--running (${running}) cannot exceed --containers (${containers})\n${USAGE}`);
  return {
    containers,
    running,
    iterations: positiveInt('iterations', values.iterations, 200),
    statsIterations: positiveInt('stats-iterations', values['stats-iterations'], 10),
    rounds: positiveInt('rounds', values.rounds, 3),
    batch: positiveInt('batch', values.batch, 16),
    image: values.image ?? 'gdm-test-busybox:latest',
    socketPath: values.socket ?? '/var/run/docker.sock',
  };
}
