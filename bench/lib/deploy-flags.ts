import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The node flags the image runs the service with: those between `node` and the entry point
 * in the Dockerfile's ENTRYPOINT (e.g. `--max-semi-space-size=2`), so that the bench runs
 * the service as a deployment does (scripts/start.sh and `npm start` use the same flags).
 */
export function deploymentNodeFlags(root: string): string[] {
  const line = readFileSync(join(root, 'Dockerfile'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ENTRYPOINT '));
  if (!line) throw new Error('the Dockerfile has no ENTRYPOINT line');
  const argv = JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
  const entry = argv.findIndex((a) => a.endsWith('cli.js'));
  if (argv[0] !== 'node' || entry < 1) throw new Error(`unexpected ENTRYPOINT: ${line}`);
  return argv.slice(1, entry);
}

/**
 * The environment the image sets for memory (the Dockerfile's `MALLOC_ARENA_MAX`), which the
 * bench gives the service too; empty when the Dockerfile sets none.
 */
export function deploymentEnv(root: string): Record<string, string> {
  const match = /^\s*MALLOC_ARENA_MAX=(\d+)/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  return match ? { MALLOC_ARENA_MAX: match[1] as string } : {};
}
