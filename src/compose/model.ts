import { parse as parseYaml } from 'yaml';
import { appError } from '../errors.js';
import type { ComposeTool } from './detect.js';
import { runCompose } from './runner.js';

/** A resolved model larger than this is refused rather than half-read. */
const MAX_MODEL_BYTES = 8 * 1024 * 1024;
/** `config` reads files and prints; it needs no more than this even on a slow host. */
const MAX_CONFIG_MS = 120_000;

export interface ResolveOptions {
  project: string;
  /** `-p …`, `--project-directory …`, `-f …`: the same as the run that follows. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/**
 * The model as compose itself resolves it: `docker compose config --format json` (v2) or
 * `docker-compose config` (v1, YAML). It runs through the same runner as up/down (argument
 * array, own process group, the minimal environment, a timeout). The caller has already
 * refused, from the raw files, whatever this run would read outside the project folder.
 */
export async function resolveModel(tool: ComposeTool, options: ResolveOptions): Promise<unknown> {
  const argv = [...tool.command, ...options.args, 'config', ...(tool.major >= 2 ? ['--format', 'json'] : [])];
  const lines: string[] = [];
  let bytes = 0;
  const result = await runCompose(argv, {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: Math.min(options.timeoutMs, MAX_CONFIG_MS),
    onLine: (line) => {
      if (line.stream !== 'stdout') return;
      bytes += line.text.length + 1;
      if (bytes <= MAX_MODEL_BYTES) lines.push(line.text);
    },
  });
  if (result.exitCode !== 0) {
    const why = result.timedOut ? 'timed out and was stopped' : `exited with code ${result.exitCode}`;
    throw appError('COMPOSE_FAILED', `compose config of ${options.project} ${why}; nothing was started`, {
      result: { project: options.project, action: 'config', command: argv, exitCode: result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs, output: result.output },
    });
  }
  if (bytes > MAX_MODEL_BYTES) throw appError('COMPOSE_UNSAFE', `The model compose resolved for ${options.project} is larger than ${MAX_MODEL_BYTES} bytes`);
  const text = lines.join('\n');
  try {
    return tool.major >= 2 ? (JSON.parse(text) as unknown) : (parseYaml(text, { merge: true }) as unknown);
  } catch (err) {
    throw appError('COMPOSE_FAILED', `compose config of ${options.project} printed a model that could not be read; nothing was started`, undefined, err);
  }
}
