import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TEST_IMAGE = process.env.GDM_TEST_IMAGE ?? 'gdm-test-busybox:latest';
/** Every container a test makes carries this label, so a crashed run can be cleaned up. */
export const TEST_LABEL = 'gdm.test';

/** Runs the docker CLI (argument array, no shell): an independent view of the engine's state. */
export async function docker(...args: string[]): Promise<string> {
  return dockerWith(undefined, ...args);
}

/** The docker CLI against another engine: `env` carries its DOCKER_HOST (and TLS settings). */
export async function dockerWith(env: NodeJS.ProcessEnv | undefined, ...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 32 * 1024 * 1024, env: env ? { ...process.env, ...env } : undefined });
  return stdout.trim();
}

/**
 * Fails loudly when no engine answers: integration tests must run, never skip.
 * Run scripts/setup-engine.sh (the README test command does) to get one.
 */
export async function requireEngine(): Promise<void> {
  try {
    await docker('version', '--format', '{{.Server.Version}}');
  } catch (err) {
    throw new Error(`No Docker engine answers; run scripts/setup-engine.sh first. (${(err as Error).message})`);
  }
  try {
    await docker('image', 'inspect', TEST_IMAGE);
  } catch {
    throw new Error(`Test image ${TEST_IMAGE} is missing; run scripts/build-test-image.sh first.`);
  }
}

export function uniqueName(prefix: string): string {
  return `gdm-t-${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface RunOptions {
  name?: string;
  command?: string[];
  labels?: Record<string, string>;
  healthCmd?: string;
  healthInterval?: string;
  tty?: boolean;
  env?: Record<string, string>;
  /** Create only, do not start. */
  createOnly?: boolean;
  /** The engine kills it 1 s after SIGTERM (busybox sh as PID 1 ignores TERM). */
  stopSignalFast?: boolean;
}

/** A set of containers that one test file owns and removes after itself. */
export class Fixture {
  readonly runId = randomBytes(4).toString('hex');
  private readonly names = new Set<string>();

  /** `cliEnv`: the engine's DOCKER_HOST (and TLS settings) when it is not the first engine. */
  constructor(private readonly cliEnv?: NodeJS.ProcessEnv) {}

  async run(options: RunOptions = {}): Promise<{ id: string; name: string }> {
    const name = options.name ?? uniqueName('c');
    const args = [options.createOnly ? 'create' : 'run', ...(options.createOnly ? [] : ['-d']), '--name', name, '--label', `${TEST_LABEL}=${this.runId}`];
    for (const [k, v] of Object.entries(options.labels ?? {})) args.push('--label', `${k}=${v}`);
    for (const [k, v] of Object.entries(options.env ?? {})) args.push('--env', `${k}=${v}`);
    if (options.healthCmd) args.push('--health-cmd', options.healthCmd, '--health-interval', options.healthInterval ?? '1s', '--health-retries', '1');
    if (options.stopSignalFast) args.push('--stop-timeout', '1');
    if (options.tty) args.push('-t');
    args.push(TEST_IMAGE, ...(options.command ?? ['sleep', '3600']));
    this.names.add(name);
    const id = (await dockerWith(this.cliEnv, ...args)).split('\n').pop() ?? '';
    return { id, name };
  }

  /** Removes everything this fixture made; safe to call after a failure. */
  async cleanup(): Promise<void> {
    const ids = await dockerWith(this.cliEnv, 'ps', '-aq', '--filter', `label=${TEST_LABEL}=${this.runId}`);
    if (ids) await dockerWith(this.cliEnv, 'rm', '-f', ...ids.split('\n'));
  }
}

export async function inspectState(name: string): Promise<{ Status: string; Running: boolean; ExitCode: number; Health?: { Status: string } }> {
  return JSON.parse(await docker('inspect', '--format', '{{json .State}}', name)) as {
    Status: string;
    Running: boolean;
    ExitCode: number;
    Health?: { Status: string };
  };
}

/** Polls until `check` holds or the time is up; returns the last value. */
export async function waitFor<T>(fn: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await fn();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    value = await fn();
  }
  return value;
}
