import type { DockerEngine } from '../docker/engine.js';
import type { EngineContainerDetails } from '../docker/types.js';
import { notFound, resolveContainer } from './container-resolver.js';
import { detailsFromEngine, summaryFromDetails, type ContainerDetails, type ContainerSummary } from './container-view.js';
import { isAppError } from '../errors.js';
import type { ContainerStore } from './container-store.js';
import type { EngineStatus } from './engine-status.js';
import type { ActionResult, ListFilters } from './schemas.js';
import { canSee, withVisibleGroups, type Viewer } from '../access/principal.js';

/** Who asks: undefined means the service itself, which sees everything. */
export type { Viewer };

export type ContainerAction = 'start' | 'stop' | 'restart';


/** Does a label filter (`key` or `key=value`) hold for these labels? */
export function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq === -1) return Object.hasOwn(labels, filter);
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

export function applyFilters(containers: ContainerSummary[], filters: ListFilters): ContainerSummary[] {
  const statuses = filters.status?.length ? new Set<string>(filters.status) : undefined;
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
  async list(filters: ListFilters = {}, viewer: Viewer): Promise<ContainerSummary[]> {
    await this.store.ready();
    return applyFilters(this.visible(viewer), filters).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The containers a viewer may see; others do not exist for it. */
  visible(viewer: Viewer): ContainerSummary[] {
    const all = this.store.summaries();
    return all.filter((c) => canSee(viewer, c)).map((c) => withVisibleGroups(viewer, c));
  }

  /** Resolves a full id, exact name or unique id prefix to one container. */
  async resolve(ref: string, viewer: Viewer): Promise<ContainerSummary> {
    return (await this.find(ref, viewer)).summary;
  }

  /**
   * The container as the engine sees it right now: for the rare answer that must not trail
   * the events stream by even one event. The store keeps it silently (see remember()).
   */
  async refreshed(summary: ContainerSummary): Promise<ContainerSummary> {
    const raw = await this.observe(this.engine.inspectContainer(summary.id));
    this.store.remember(raw);
    return this.store.summary(summary.id) ?? summaryFromDetails(raw, Date.now(), this.store.groupsOf);
  }

  /** The one container a viewer means, with its inspect data; hidden ones do not exist. */
  private async find(ref: string, viewer: Viewer): Promise<{ summary: ContainerSummary; raw: EngineContainerDetails }> {
    await this.store.ready();
    try {
      const summary = this.lookup(ref, viewer);
      const raw = this.store.raw(summary.id);
      if (!raw) throw notFound(ref);
      return { summary, raw };
    } catch (err) {
      if (!isAppError(err) || err.code !== 'CONTAINER_NOT_FOUND') throw err;
      const raw = await this.fromEngine(ref, viewer);
      if (!raw) throw err;
      return { summary: summaryFromDetails(raw, Date.now(), this.store.groupsOf), raw };
    }
  }

  /**
   * The store trails the engine by one event at most: a container created a moment ago may
   * not be in it yet, so the engine is asked once, and a caller reads its own writes. This
   * must reveal nothing the store lookup hides: whatever the engine answers (no such
   * container, several matches for a prefix, a container outside the viewer's groups) is
   * "not found", exactly as for a missing one. Only an unreachable engine stays 503, which
   * a missing container gets as well. Nothing is written to the store: its one writer is
   * the events loop, so a lookup can never put a change into /events.
   */
  private async fromEngine(ref: string, viewer: Viewer): Promise<EngineContainerDetails | undefined> {
    let raw: EngineContainerDetails;
    try {
      raw = await this.observe(this.engine.inspectContainer(ref));
    } catch (err) {
      if (isAppError(err) && (err.code === 'DOCKER_UNAVAILABLE' || err.code === 'DOCKER_TIMEOUT')) throw err;
      return undefined;
    }
    const summary = summaryFromDetails(raw, Date.now(), this.store.groupsOf);
    if (viewer && !canSee(viewer, summary)) return undefined;
    // The engine's own matching (e.g. a name with or without its slash) must agree with ours.
    try {
      resolveContainer(ref, [summary]);
    } catch {
      return undefined;
    }
    return raw;
  }

  /**
   * Resolves among the containers the viewer may see only: a hidden container is "not
   * found" by id, prefix or name alike, and never makes a prefix ambiguous.
   */
  private lookup(ref: string, viewer: Viewer): ContainerSummary {
    const candidates = [...this.store.identities()].filter((c) => canSee(viewer, c));
    const { id } = resolveContainer(ref, candidates);
    const summary = this.store.summary(id);
    if (!summary) throw notFound(ref);
    return summary;
  }

  /** Full details of one container; env values only when `showEnvValues`. */
  async details(ref: string, viewer: Viewer): Promise<ContainerDetails> {
    const { raw } = await this.find(ref, viewer);
    // Env values often hold secrets: admins only.
    const showEnvValues = viewer.role === 'admin';
    const details = detailsFromEngine(raw, showEnvValues, Date.now(), this.store.groupsOf);
    return withVisibleGroups(viewer, details);
  }

  /** Starts, stops or restarts a container and reports its state afterwards. */
  async act(ref: string, action: ContainerAction, viewer: Viewer, timeoutSeconds?: number): Promise<ActionResult> {
    const target = await this.resolve(ref, viewer);
    const started = performance.now();
    let changed = true;
    if (action === 'start') changed = await this.observe(this.engine.startContainer(target.id));
    else if (action === 'stop') changed = await this.observe(this.engine.stopContainer(target.id, timeoutSeconds));
    else await this.observe(this.engine.restartContainer(target.id, timeoutSeconds));
    const durationMs = Math.round(performance.now() - started);
    const raw = await this.observe(this.engine.inspectContainer(target.id));
    // The caller reads its own write at once; /events reports the engine's own events.
    this.store.remember(raw);
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
