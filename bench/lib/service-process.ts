import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { deployment } from './deploy-flags.js';
import { HttpClient } from './http-client.js';

export interface ServiceOptions {
  /** dist/src/cli.js */
  entry: string;
  cwd: string;
  socketPath: string;
  statsIntervalMs: number;
  /** More environment for the service (auth, groups file, limits). */
  env?: Record<string, string>;
  /** Node flags before the entry (bench/heap.ts: --expose-gc and the heap probe). */
  execArgv?: string[];
  /** Without the image's node flags (bench/node-flags.ts compares flag sets itself). */
  noDeploymentFlags?: boolean;
  /** Opens an IPC channel to the child (the heap probe answers on it). */
  ipc?: boolean;
}

/** Asks the kernel for a free TCP port on 127.0.0.1 (released at once; the child binds it next). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Our service as a deployment runs it: `node <the image's flags> dist/src/cli.js serve` in its own process,
 * configured through the environment, listening on 127.0.0.1. Its output is kept (the last
 * few KiB) to explain a failed start.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private exited: Promise<number | null> | undefined;
  port = 0;

  constructor(private readonly options: ServiceOptions) {}

  get pid(): number {
    if (!this.child?.pid) throw new Error('service is not running');
    return this.child.pid;
  }

  /** Spawns the service and waits until /ready answers 200 (engine reachable, store synced). */
  async start(timeoutMs = 30_000): Promise<HttpClient> {
    const { entry, cwd, socketPath, statsIntervalMs, env: extra, execArgv = [], ipc = false, noDeploymentFlags = false } = this.options;
    this.port = await freePort();
    // The image's node flags and memory environment (MALLOC_ARENA_MAX), unless the caller compares its own.
    const deployed = noDeploymentFlags ? { nodeFlags: [], env: {} } : deployment(cwd);
    const env = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(this.port),
      HOST: '127.0.0.1',
      DOCKER_HOST: `unix://${socketPath}`,
      LOG_LEVEL: 'silent',
      STATS_INTERVAL_MS: String(statsIntervalMs),
      ...deployed.env,
      ...extra,
    };
    // The image's node flags first (a deployment's heap settings), then the bench's own.
    const child = spawn(process.execPath, [...deployed.nodeFlags, ...execArgv, entry, 'serve'], { cwd, env, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString('utf8')).slice(-4096));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let gone = false;
    void this.exited.then(() => (gone = true));

    const client = new HttpClient({ host: '127.0.0.1', port: this.port }, 10_000);
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (gone) throw new Error(`service exited during start (code ${child.exitCode}): ${this.output.trim()}`);
      const res = await client.request('GET', '/ready').catch(() => undefined);
      if (res?.status === 200) return client;
      await new Promise((r) => setTimeout(r, 50));
    }
    client.close();
    throw new Error(`service not ready after ${timeoutMs} ms: ${this.output.trim()}`);
  }

  /** Sends one message over the IPC channel (ipc: true) and resolves to the child's first answer. */
  ask<T>(message: unknown, timeoutMs = 60_000): Promise<T> {
    const child = this.child;
    if (!child?.send) return Promise.reject(new Error('service has no IPC channel'));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer from the service')), timeoutMs);
      child.once('message', (answer) => {
        clearTimeout(timer);
        resolve(answer as T);
      });
      child.send(message as object);
    });
  }

  /** SIGTERM (graceful close), then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child || !this.exited || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
