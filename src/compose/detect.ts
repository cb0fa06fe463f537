import { execFile } from 'node:child_process';

export interface ComposeTool {
  /** argv prefix, e.g. ['docker', 'compose'] or ['docker-compose']. */
  command: string[];
  version: string;
  /** v2 knows `up --pull never`; v1 does not. */
  major: 1 | 2;
}

function run(argv: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(argv[0] as string, argv.slice(1), { timeout: 10_000, env }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}

/**
 * Finds the compose tool once at boot: COMPOSE_COMMAND when set, else `docker compose`
 * (v2, what most users run), else `docker-compose` (v1). Undefined when none works.
 */
export async function detectCompose(configured: string[] | undefined, env: NodeJS.ProcessEnv): Promise<ComposeTool | undefined> {
  const candidates = configured ? [configured] : [['docker', 'compose'], ['docker-compose']];
  for (const command of candidates) {
    const out = await run([...command, 'version', '--short'], env);
    if (out) {
      const version = out.replace(/^v/, '').split('\n')[0] ?? out;
      return { command, version, major: version.startsWith('1.') ? 1 : 2 };
    }
  }
  return undefined;
}
