import { randomBytes } from 'node:crypto';
import { HttpStatusError, type HttpClient } from './http-client.js';

export interface BenchContainer {
  id: string;
  name: string;
  running: boolean;
}

export interface FixtureOptions {
  /** A client on the engine's unix socket. */
  engine: HttpClient;
  image: string;
  total: number;
  running: number;
  /** Containers created or removed concurrently. */
  batch: number;
  /** More labels for the container at `index` (e.g. a service group). */
  labels?: (index: number) => Record<string, string>;
  /** Shares one run id between fixtures on several engines (default: a fresh one). */
  runId?: string;
  /** Container names are `<prefix>-<runId>-<index>` (default gdm-bench). */
  namePrefix?: string;
}

/** Every bench container carries these; gdm.bench.run singles out the containers of one run. */
export const BENCH_LABELS = { 'gdm.bench': '1', 'gdm.test': 'bench' } as const;
export const RUN_LABEL = 'gdm.bench.run';

/**
 * The bench's containers, made through the engine API: `total` from a local image, the
 * first `running` of them started (sleep 3600), the rest created and never started.
 * removeAll() finds them again by this run's label, so it also catches a container whose
 * create answered after an interrupt.
 */
export class ContainerFixture {
  readonly runId: string;
  readonly containers: BenchContainer[] = [];
  private closing = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private removal: Promise<number> | undefined;

  constructor(private readonly options: FixtureOptions) {
    this.runId = options.runId ?? randomBytes(4).toString('hex');
  }

  get running(): BenchContainer[] {
    return this.containers.filter((c) => c.running);
  }

  /** Fails early, with the fix, when the image is missing: the bench never pulls. */
  async checkImage(): Promise<void> {
    const { engine, image } = this.options;
    const res = await engine.request('GET', `/images/${encodeURIComponent(image)}/json`);
    if (res.status === 404) throw new Error(`image ${image} is missing; build it with scripts/build-test-image.sh (no registry is reachable)`);
    if (res.status !== 200) throw new HttpStatusError('GET', `/images/${image}/json`, res.status, res.body.toString('utf8'));
  }

  async create(): Promise<void> {
    const { total, batch } = this.options;
    for (let start = 0; start < total; start += batch) {
      if (this.closing) throw new Error('fixture is being removed');
      const indices = Array.from({ length: Math.min(batch, total - start) }, (_, k) => start + k);
      await Promise.all(indices.map((i) => this.track(this.createOne(i))));
    }
  }

  /** Removes every container of this run (idempotent); resolves to how many were removed. */
  removeAll(): Promise<number> {
    this.removal ??= this.remove();
    return this.removal;
  }

  private async createOne(index: number): Promise<void> {
    const { engine, image, running } = this.options;
    const name = `${this.options.namePrefix ?? 'gdm-bench'}-${this.runId}-${String(index).padStart(4, '0')}`;
    const body = {
      Image: image,
      Cmd: ['sleep', '3600'],
      Labels: { ...BENCH_LABELS, [RUN_LABEL]: this.runId, ...this.options.labels?.(index) },
      HostConfig: {},
    };
    const { Id } = await engine.json<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, [201], body);
    const container: BenchContainer = { id: Id, name, running: false };
    this.containers.push(container);
    if (index < running && !this.closing) {
      await engine.expect('POST', `/containers/${Id}/start`, [204, 304]);
      container.running = true;
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.then(
      () => this.inFlight.delete(promise),
      () => this.inFlight.delete(promise),
    );
    return promise;
  }

  private async remove(): Promise<number> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
    const { engine, batch } = this.options;
    const filters = encodeURIComponent(JSON.stringify({ label: [`${RUN_LABEL}=${this.runId}`] }));
    const listed = await engine.json<{ Id: string }[]>('GET', `/containers/json?all=1&filters=${filters}`);
    const ids = [...new Set([...this.containers.map((c) => c.id), ...listed.map((c) => c.Id)])];
    let removed = 0;
    for (let start = 0; start < ids.length; start += batch) {
      const results = await Promise.allSettled(
        ids.slice(start, start + batch).map((id) => engine.expect('DELETE', `/containers/${id}?force=1&v=1`, [204, 404])),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') removed += r.value.status === 204 ? 1 : 0;
        else process.stderr.write(`bench: could not remove a container: ${String(r.reason)}\n`);
      }
    }
    return removed;
  }
}
