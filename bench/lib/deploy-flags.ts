import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How the image runs the service, read from its Dockerfile so that the bench runs it the same way. */
export interface Deployment {
  /**
   * The node flags between `node` and the entry point in the ENTRYPOINT (e.g.
   * `--max-semi-space-size=2`); scripts/start.sh and `npm start` use the same flags.
   */
  nodeFlags: string[];
  /** The environment the image sets for memory (`MALLOC_ARENA_MAX`); empty when it sets none. */
  env: Record<string, string>;
}

export function deployment(root: string): Deployment {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const line = dockerfile.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  if (!line) throw new Error('the Dockerfile has no ENTRYPOINT line');
  const argv = JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
  const entry = argv.findIndex((a) => a.endsWith('cli.js'));
  if (argv[0] !== 'node' || entry < 1) throw new Error(`unexpected ENTRYPOINT: ${line}`);
  const arenas = /^\s*MALLOC_ARENA_MAX=(\d+)/m.exec(dockerfile);
  return { nodeFlags: argv.slice(1, entry), env: arenas ? { MALLOC_ARENA_MAX: arenas[1] as string } : {} };
}
