import type { TestEngine } from './test-engines.js';
import { dockerOn } from './test-engines.js';
import { TEST_IMAGE, TEST_LABEL } from './docker-cli.js';
import type { App } from '../../src/app.js';

export interface ServiceOptions {
  name: string;
  replicas: number;
  labels?: Record<string, string>;
  /** The task's command; default prints a line, then a tick a second (so a follower sees a new task's lines). */
  command?: string[];
}

/**
 * Swarm services one test file owns on the swarm test engine (e2), labelled gdm.test=<runId>
 * and removed by cleanup(), even after a failure. Tasks stop within 1 s (busybox ignores TERM).
 */
export class SwarmFixture {
  private readonly names = new Set<string>();

  constructor(
    readonly engine: TestEngine,
    readonly runId: string,
  ) {}

  async create(options: ServiceOptions): Promise<string> {
    this.names.add(options.name);
    const args = ['service', 'create', '--detach', '--quiet', '--name', options.name, '--replicas', String(options.replicas), '--label', `${TEST_LABEL}=${this.runId}`];
    for (const [k, v] of Object.entries(options.labels ?? {})) args.push('--label', `${k}=${v}`);
    args.push('--stop-grace-period', '1s', '--update-delay', '0s', '--no-resolve-image', TEST_IMAGE, ...(options.command ?? ['sh', '-c', 'echo hello-from-task; while true; do echo tick; sleep 1; done']));
    return (await dockerOn(this.engine, ...args)).trim();
  }

  async cleanup(): Promise<void> {
    const ids = await dockerOn(this.engine, 'service', 'ls', '-q', '--filter', `label=${TEST_LABEL}=${this.runId}`);
    if (ids.trim()) await dockerOn(this.engine, 'service', 'rm', ...ids.trim().split('\n'));
  }

  /** Ids of the tasks the engine reports running for a service (docker service ps: an independent view). */
  async runningTasks(service: string): Promise<string[]> {
    const out = await dockerOn(this.engine, 'service', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{.ID}} {{.CurrentState}}', service);
    return out
      .split('\n')
      .filter((l) => / Running /.test(` ${l} `))
      .map((l) => l.split(' ')[0] as string);
  }
}

/** The app's swarm store of one engine (by name), else of its first engine. */
function storeOf(app: App, engine: string | undefined) {
  const found = engine === undefined ? app.swarm.engines.all[0] : app.swarm.engines.all.find((e) => e.name === engine);
  if (!found) throw new Error(`the app has no engine ${engine}`);
  return found.store;
}

/**
 * Resolves once `check` holds for the app's swarm picture: checked now and after each re-read
 * of the store (driven by the engine's events and converging tasks), never by a timer.
 */
export function untilSwarm(app: App, check: () => boolean, timeoutMs = 30_000, what = 'swarm state', engine?: string): Promise<void> {
  const store = storeOf(app, engine);
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      store.off('synced', onSynced);
      if (err) reject(err);
      else resolve();
    };
    const onSynced = () => {
      if (check()) done();
    };
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), timeoutMs);
    store.on('synced', onSynced);
    onSynced();
  });
}

/** Tasks of a service running (and meant to), as the app's store holds them. */
export function storeRunning(app: App, serviceName: string, engine?: string): string[] {
  const store = storeOf(app, engine);
  const service = store.services().find((s) => s.name === serviceName);
  if (!service) return [];
  return store
    .tasks(service.id)
    .filter((t) => t.state === 'running' && t.desiredState === 'running')
    .map((t) => t.id);
}
