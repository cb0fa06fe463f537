import { spawn } from 'node:child_process';

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** Combined output; only the last MAX_OUTPUT bytes are kept. */
  output: string;
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

const MAX_OUTPUT = 1024 * 1024;
const KILL_GRACE_MS = 3000;

/**
 * Runs the compose tool with an argument array (never a shell), in its own process group
 * so that a timeout can end it and every child it started. The environment is the one
 * given: nothing of the service's own secrets leaks into it.
 */
export function runCompose(
  argv: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; onLine?: (line: OutputLine) => void },
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const partial = { stdout: '', stderr: '' };
    const take = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-MAX_OUTPUT);
      const lines = (partial[stream] + text).split(/\r?\n/);
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) options.onLine?.({ stream, text: line });
    };
    child.stdout?.on('data', take('stdout'));
    child.stderr?.on('data', take('stderr'));
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    }, options.timeoutMs);
    let done = false;
    const finish = (exitCode: number | null, signal: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) options.onLine?.({ stream, text: partial[stream] });
      // Children the tool left behind (its group) go with it.
      if (timedOut) killGroup('SIGKILL');
      resolve({ exitCode, signal, timedOut, durationMs: Date.now() - started, output });
    };
    child.once('error', (err) => {
      output += `\n${err.message}`;
      finish(null, null);
    });
    child.once('close', (code, signal) => finish(code, signal));
  });
}
