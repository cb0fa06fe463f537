import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The docker CLI as a person or a script uses it: one process per command, arguments as
 * an array (no shell), talking to the same engine socket as the service.
 */
export class DockerCli {
  private readonly env: NodeJS.ProcessEnv;

  constructor(socketPath: string) {
    this.env = { ...process.env, DOCKER_HOST: `unix://${socketPath}` };
  }

  /** Runs `docker ...args`; resolves to its stdout and how long it took (ms). */
  async exec(args: string[]): Promise<{ stdout: string; ms: number }> {
    const started = performance.now();
    try {
      const { stdout } = await run('docker', args, { env: this.env, timeout: 120_000 });
      return { stdout, ms: performance.now() - started };
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`docker ${args.join(' ')} failed: ${stderr || String(err)}`);
    }
  }

  /**
   * Polls `docker inspect` (one call for all names, every `intervalMs`) until each is
   * healthy; throws when one turns unhealthy or stops, or after `timeoutMs`.
   * Resolves to the number of inspect calls made.
   */
  async waitHealthy(names: readonly string[], timeoutMs: number, intervalMs = 25): Promise<number> {
    if (names.length === 0) return 0;
    const deadline = performance.now() + timeoutMs;
    for (let polls = 1; ; polls++) {
      const { stdout } = await this.exec(['inspect', '--format', '{{.Name}} {{.State.Status}} {{.State.Health.Status}}', ...names]);
      const rows = stdout.trim().split('\n').map((line) => line.split(' '));
      const bad = rows.find(([, state, health]) => state !== 'running' || health === 'unhealthy');
      if (bad) throw new Error(`${bad[0]} is ${bad[1]}, health ${bad[2]}, while waiting for healthy`);
      if (rows.length === names.length && rows.every(([, , health]) => health === 'healthy')) return polls;
      if (performance.now() > deadline) throw new Error(`not healthy after ${timeoutMs} ms: ${stdout.trim()}`);
      await sleep(intervalMs);
    }
  }
}
