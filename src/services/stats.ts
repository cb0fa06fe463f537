import type { DockerEngine } from '../docker/engine.js';
import type { EngineCpuStats } from '../docker/types.js';
import { appError } from '../errors.js';
import type { ContainerService } from './containers.js';
import type { EngineStatus } from './engine-status.js';
import { usageFromStats, type ContainerUsage } from './stats-math.js';

export interface ContainerStats extends ContainerUsage {
  id: string;
  name: string;
}

/** A previous CPU sample is usable for a delta for this long. */
const PREVIOUS_SAMPLE_MAX_AGE_MS = 30_000;
const MAX_REMEMBERED = 5_000;

/**
 * One stats sample per call. The engine's `one-shot` mode (API >= 1.41) skips its own
 * second sample, so we keep the previous CPU counters per container to compute CPU %;
 * without a recent one we let the engine take both samples (about a second).
 */
export class StatsService {
  private readonly previous = new Map<string, { cpu: EngineCpuStats; at: number }>();

  constructor(
    private readonly engine: DockerEngine,
    private readonly containers: ContainerService,
    private readonly status: EngineStatus,
  ) {}

  async sample(ref: string): Promise<ContainerStats> {
    const target = await this.containers.resolve(ref);
    if (target.state !== 'running') {
      throw appError('CONTAINER_NOT_RUNNING', `Container ${target.name} is ${target.state}; stats exist only while it runs`);
    }
    const prev = this.previous.get(target.id);
    const fresh = prev !== undefined && Date.now() - prev.at < PREVIOUS_SAMPLE_MAX_AGE_MS;
    const oneShot = fresh && (this.status.apiVersion ?? 0) >= 1.41;
    const raw = await this.engine.containerStats(target.id, oneShot);
    this.remember(target.id, raw.cpu_stats);
    return { id: target.id, name: target.name, ...usageFromStats(raw, fresh ? prev.cpu : undefined) };
  }

  /** Forgets a container's previous sample (it was removed). */
  forget(id: string): void {
    this.previous.delete(id);
  }

  private remember(id: string, cpu: EngineCpuStats): void {
    this.previous.delete(id);
    this.previous.set(id, { cpu, at: Date.now() });
    if (this.previous.size > MAX_REMEMBERED) {
      const oldest = this.previous.keys().next().value;
      if (oldest !== undefined) this.previous.delete(oldest);
    }
  }
}
