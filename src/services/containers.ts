import type { DockerEngine } from '../docker/engine.js';
import { resolveContainer } from './container-resolver.js';
import { detailsFromEngine, type ContainerDetails, type ContainerSummary } from './container-view.js';
import { appError } from '../errors.js';
import type { ContainerStore } from './container-store.js';
import type { EngineStatus } from './engine-status.js';
import type { ActionResult } from '../schemas/containers.js';

export interface ListFilters {
  all?: boolean;
  group?: string;
  status?: string[];
  name?: string;
  label?: string[];
}

export type ContainerAction = 'start' | 'stop' | 'restart';


/** Does a label filter (`key` or `key=value`) hold for these labels? */
export function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq === -1) return Object.hasOwn(labels, filter);
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

export function applyFilters(containers: ContainerSummary[], filters: ListFilters): ContainerSummary[] {
  const statuses = filters.status?.length ? new Set(filters.status) : undefined;
  const name = filters.name?.toLowerCase();
  return containers.filter(
    (c) =>
      (filters.all !== false || c.state === 'running') &&
      (!statuses || statuses.has(c.state)) &&
      (!name || c.name.toLowerCase().includes(name)) &&
      (!filters.group || c.groups.includes(filters.group)) &&
      (filters.label ?? []).every((l) => labelMatches(c.labels, l)),
  );
}

/**
 * Containers as the API shows them: list and details come from the event-synced store,
 * lifecycle actions go to the engine and their result is written back to the store at once.
 */
export class ContainerService {
  constructor(
    private readonly engine: DockerEngine,
    private readonly store: ContainerStore,
    private readonly status: EngineStatus,
  ) {}

  /** Lists containers matching the filters, sorted by name. */
  async list(filters: ListFilters = {}): Promise<ContainerSummary[]> {
    await this.store.ready();
    return applyFilters(this.store.summaries(), filters).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Resolves a full id, exact name or unique id prefix to one container. */
  async resolve(ref: string): Promise<ContainerSummary> {
    await this.store.ready();
    const { id } = resolveContainer(ref, this.store.identities());
    const summary = this.store.summary(id);
    if (!summary) throw appError('CONTAINER_NOT_FOUND');
    return summary;
  }

  /** Full details of one container; env values only when `showEnvValues`. */
  async details(ref: string, showEnvValues = false): Promise<ContainerDetails> {
    const { id } = await this.resolve(ref);
    const raw = this.store.raw(id);
    if (!raw) throw appError('CONTAINER_NOT_FOUND');
    return detailsFromEngine(raw, showEnvValues, Date.now(), this.store.groupsOf);
  }

  /** Starts, stops or restarts a container and reports its state afterwards. */
  async act(ref: string, action: ContainerAction, timeoutSeconds?: number): Promise<ActionResult> {
    const target = await this.resolve(ref);
    const started = performance.now();
    let changed = true;
    if (action === 'start') changed = await this.observe(this.engine.startContainer(target.id));
    else if (action === 'stop') changed = await this.observe(this.engine.stopContainer(target.id, timeoutSeconds));
    else await this.observe(this.engine.restartContainer(target.id, timeoutSeconds));
    const durationMs = Math.round(performance.now() - started);
    const raw = await this.observe(this.engine.inspectContainer(target.id));
    this.store.upsert(raw, action);
    const after = detailsFromEngine(raw, false);
    return { id: after.id, name: after.name, action, changed, state: after.state, health: after.health, durationMs };
  }

  private async observe<T>(promise: Promise<T>): Promise<T> {
    try {
      const value = await promise;
      this.status.observe(undefined);
      return value;
    } catch (err) {
      this.status.observe(err);
      throw err;
    }
  }
}
