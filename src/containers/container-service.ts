import type { ContainerRecord } from '../docker/container-record.js';
import { notFound, parseRef, resolveContainer, wantedOf } from './container-resolver.js';
import { detailsFromRecord, summaryFromRecord, type ContainerDetails, type ContainerSummary } from './container-view.js';
import { whenStored } from './wait-for-container.js';
import { isAppError } from '../errors.js';
import type { EngineUnit } from './engines/engine-unit.js';
import type { ContainerIdentity, MergedStore } from './engines/merged-store.js';
import type { ActionResult, ListFilters } from './schemas.js';
import { canSee, canSeeEngine, withVisibleGroups, type Viewer } from '../access/principal.js';
import { readyBody, type ReadyBody } from '../http/etag.js';
import { ContainerViewCache, filterKey, scopeKey } from './view-cache.js';
import { UpdateMarks, withMark } from './update-marks.js';
import { FragmentCache, joinFragments, sameFragments, type Fragment } from '../http/json-fragments.js';
import { NameOrder } from '../lib/name-order.js';

/** Who asks: undefined means the service itself, which sees everything. */

export type ContainerAction = 'start' | 'stop' | 'restart';

/**
 * How long an action waits for the store's events loop to show its effect before it
 * answers with the engine's own view (one inspect). Events arrive within milliseconds; this
 * bounds a slow or stuck events stream.
 */
export const ACTION_REFLECT_TIMEOUT_MS = 5_000;

/** When the store shows an action done: the container as the action left it. */
function shows(action: ContainerAction, before: ContainerRecord): (r: ContainerRecord) => boolean {
  // A start that exits at once still leaves a new StartedAt; a restart always does.
  if (action === 'start') return (r) => r.running || r.startedAt !== before.startedAt;
  // A restart loop's `restarting` is not stopped yet: the engine's stop ends it.
  if (action === 'stop') return (r) => !r.running && !r.restarting;
  return (r) => r.startedAt !== before.startedAt;
}

/** Has the store seen a start at or after `startedAt` (ISO, nanosecond precision)? */
function seenStart(r: ContainerRecord, startedAt: string): boolean {
  return r.startedAt !== null && Date.parse(r.startedAt) >= Date.parse(startedAt);
}

/** Does a label filter (`key` or `key=value`) hold for these labels? */
export function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq === -1) return Object.hasOwn(labels, filter);
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

export function applyFilters(containers: readonly ContainerSummary[], filters: ListFilters): ContainerSummary[] {
  const statuses = filters.status?.length ? new Set<string>(filters.status) : undefined;
  const name = filters.name?.toLowerCase();
  return containers.filter(
    (c) =>
      (filters.all !== false || c.state === 'running') &&
      (!statuses || statuses.has(c.state)) &&
      (!name || c.name.toLowerCase().includes(name)) &&
      (!filters.group || c.groups.includes(filters.group)) &&
      (!filters.engine || c.engine === filters.engine) &&
      (filters.label ?? []).every((l) => labelMatches(c.labels, l)),
  );
}

/**
 * Containers as the API shows them: list and details come from the event-synced store,
 * lifecycle actions go to the engine and answer once the store shows their effect, so a
 * caller reads its own write and the store keeps one writer: its events loop.
 */
export class ContainerService {
  private readonly cache = new ContainerViewCache<ContainerSummary, Fragment>();
  /** Serialised list items, per frozen view (a copy showing fewer groups is its own view). */
  private readonly fragments = new FragmentCache<ContainerSummary>();
  private readonly byName = new NameOrder<ContainerSummary>();

  constructor(
    private readonly store: MergedStore,
    private readonly reflectTimeoutMs = ACTION_REFLECT_TIMEOUT_MS,
    /** Image update marks, shown in list and details (the updates feature writes them). */
    readonly marks = new UpdateMarks(),
  ) {}

  /** The unit of a container's engine (every stored or inspected container names one we follow). */
  unitOf(c: { engine: string }): EngineUnit {
    const unit = this.store.unit(c.engine);
    if (!unit) throw notFound(c.engine);
    return unit;
  }

  /** Lists containers matching the filters, sorted by name. */
  async list(filters: ListFilters = {}, viewer: Viewer): Promise<ContainerSummary[]> {
    await this.store.ready();
    return applyFilters(this.visible(viewer), filters)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => withMark(this.marks, c));
  }

  /**
   * The list as ready bytes (see view-cache.ts): made once per store generation for each
   * scope and filter set, then served as they are. `render` serialises the list answer.
   */
  async listReady(filters: ListFilters, viewer: Viewer, renderItem: (item: ContainerSummary) => string): Promise<ReadyBody> {
    await this.store.ready();
    // A new update mark makes other bytes: the marks' generation is part of the key.
    const key = `${scopeKey(viewer)}#${filterKey(filters)}#u${this.marks.generation()}`;
    return this.cache.list(key, this.store.generation(), (before) => {
      // Sorted before filtering (the same order: the sort is stable), and by a remembered order
      // while the names stay; each item's bytes are made once per view of it (issue 13). A
      // marked item's bytes are a variant named by the marks' generation.
      const sorted = this.byName.sorted(this.store.summaries());
      const list = applyFilters(sorted.filter((c) => canSee(viewer, c)).map((c) => withVisibleGroups(viewer, c)), filters);
      // A status text moving on ("Up 5 seconds") makes a new generation with one item changed:
      // an item that is the very view this key's last build had at its place keeps that
      // build's bytes (the key holds the marks' generation too), without a cache lookup.
      const fragments = list.map((c, i) => {
        if (before?.items[i] === c) return before.fragments[i] as Fragment;
        const marked = withMark(this.marks, c);
        return marked === c ? this.fragments.get(c, '', () => renderItem(c)) : this.fragments.get(c, `u${this.marks.generation()}`, () => renderItem(marked));
      });
      // Nothing this key shows changed (another container's status text moved on): the same
      // bytes and ETag as before, without joining or hashing them again (a 304 stays cheap).
      const ready = before && sameFragments(before.fragments, fragments) ? before.ready : joinFragments('{"containers":[', fragments, `],"total":${list.length}}`);
      return { ready, items: list, fragments };
    });
  }

  /** Details as ready bytes: made once per change of that container and per viewer scope (env values for admins only). */
  async detailsReady(ref: string, viewer: Viewer, render: (details: ContainerDetails) => string): Promise<ReadyBody> {
    const { summary, record, stored } = await this.find(ref, viewer);
    const build = () => render(this.detailsOf(record, viewer, summary));
    return stored ? this.cache.detailsOf(summary, `${scopeKey(viewer)}#u${this.marks.generation()}`, build) : readyBody(build());
  }

  /** The containers a viewer may see; others do not exist for it. */
  visible(viewer: Viewer): ContainerSummary[] {
    const all = this.store.summaries();
    return all.filter((c) => canSee(viewer, c)).map((c) => withVisibleGroups(viewer, c));
  }

  /** Resolves a reference (`{engine}:` in front, or `engine`) to one container the viewer may see. */

  async resolve(ref: string, viewer: Viewer): Promise<ContainerSummary> {
    return (await this.find(ref, viewer)).summary;
  }

  /**
   * The container as the engine sees it right now, for the rare answer that must not trail
   * the events stream by even one event (stats of a container started a moment ago). One
   * inspect tells what the engine knows; the answer waits (bounded) until the store has seen
   * the same start, so what follows reads the store and agrees. The store is not written.
   */
  async refreshed(summary: ContainerSummary): Promise<ContainerSummary> {
    const unit = this.unitOf(summary);
    const now = await this.observe(unit, unit.engine.inspectContainer(summary.id));
    const startedAt = now.startedAt;
    if (startedAt !== null) await whenStored(unit.store, now.id, (r) => seenStart(r, startedAt), this.reflectTimeoutMs);
    return this.store.summary(now.id, Date.now(), unit.name) ?? summaryFromRecord(now, Date.now(), this.store.groupsOf);
  }

  /** The one container a viewer means, with its record; hidden ones do not exist. */
  private async find(qualified: string, viewer: Viewer): Promise<{ summary: ContainerSummary; record: ContainerRecord; stored: boolean }> {
    await this.store.ready();
    const { engine, ref } = parseRef(qualified);
    // An engine we do not follow, or one hidden from the viewer, is the same 404 as a missing container.
    if (engine !== undefined && (!this.store.unit(engine) || !canSeeEngine(viewer, engine))) throw notFound(ref);
    try {
      const summary = this.lookup(ref, viewer, engine);
      const record = this.store.record(summary.id, summary.engine);
      if (!record) throw notFound(ref);
      return { summary, record, stored: true };
    } catch (err) {
      if (!isAppError(err) || err.code !== 'CONTAINER_NOT_FOUND') throw err;
      const record = await this.fromEngines(ref, viewer, engine);
      if (!record) throw err;
      return { summary: summaryFromRecord(record, Date.now(), this.store.groupsOf), record, stored: false };
    }
  }

  /**
   * The engines asked when the stores do not know a reference: the named one, else every
   * synced one at once (an engine that is down has nothing new to say). Several visible
   * matches are AMBIGUOUS, as in the stores.
   */
  private async fromEngines(ref: string, viewer: Viewer, engine: string | undefined): Promise<ContainerRecord | undefined> {
    const units = engine !== undefined ? [this.unitOf({ engine })] : this.store.units.filter((u) => u.store.isSynced && canSeeEngine(viewer, u.name));
    if (units.length === 1) return this.fromEngine(units[0] as EngineUnit, ref, viewer);
    const found = await Promise.all(units.map((u) => this.fromEngine(u, ref, viewer).catch(() => undefined)));
    const records = found.filter((r): r is ContainerRecord => r !== undefined);
    return records.length > 1 ? resolveContainer(ref, records) : records[0];
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
  private async fromEngine(unit: EngineUnit, ref: string, viewer: Viewer): Promise<ContainerRecord | undefined> {
    let record: ContainerRecord;
    try {
      record = await this.observe(unit, unit.engine.inspectContainer(ref));
    } catch (err) {
      if (isAppError(err) && (err.code === 'DOCKER_UNAVAILABLE' || err.code === 'DOCKER_TIMEOUT')) throw err;
      return undefined;
    }
    const summary = summaryFromRecord(record, Date.now(), this.store.groupsOf);
    if (viewer && !canSee(viewer, summary)) return undefined;
    // The engine's own matching (e.g. a name with or without its slash) must agree with ours.
    try {
      resolveContainer(ref, [summary]);
    } catch {
      return undefined;
    }
    return record;
  }

  /**
   * Resolves among the containers the viewer may see only: a hidden container is "not
   * found" by id, prefix or name alike, and never makes a prefix ambiguous.
   */
  private lookup(ref: string, viewer: Viewer, engine: string | undefined): ContainerSummary {
    const visible = (c: ContainerIdentity) => (engine === undefined || c.engine === engine) && canSee(viewer, c);
    // A full id or a name (the usual references) comes from the stores' indexes; only when
    // no visible container has it exactly can an id prefix match, which needs a scan. The
    // precedence (id, name, prefix) is resolveContainer's either way.
    const exact = this.store.exact(wantedOf(ref), engine).filter(visible);
    const candidates = exact.length > 0 ? exact : [...this.store.identities()].filter(visible);
    const { id, engine: on } = resolveContainer(ref, candidates);
    const summary = this.store.summary(id, Date.now(), on);
    if (!summary) throw notFound(ref);
    return summary;
  }

  /** Full details of one container; env values only when `showEnvValues`. */
  async details(ref: string, viewer: Viewer): Promise<ContainerDetails> {
    const { record, summary } = await this.find(ref, viewer);
    return this.detailsOf(record, viewer, summary);
  }

  private detailsOf(record: ContainerRecord, viewer: Viewer, summary: ContainerSummary): ContainerDetails {
    // Env values often hold secrets: admins only (the details cache keys on the role too).
    const showEnvValues = viewer.role === 'admin';
    const details = withMark(this.marks, detailsFromRecord(record, showEnvValues, Date.now(), this.store.groupsOf));
    // Its engine is lost: the details are as last seen, marked so like the list.
    const stale = summary.stale ? { stale: true as const, ...(summary.lastSeen ? { lastSeen: summary.lastSeen } : {}) } : {};
    return withVisibleGroups(viewer, { ...details, ...stale });
  }

  /**
   * Starts, stops or restarts a container and reports its state afterwards: as the store
   * shows it once its events loop applied the engine's events for the action (so a GET that
   * follows agrees), or, when that takes longer than the reflect timeout, as the engine says.
   */
  async act(ref: string, action: ContainerAction, viewer: Viewer, timeoutSeconds?: number): Promise<ActionResult> {
    const { summary: target, record: before } = await this.find(ref, viewer);
    const unit = this.unitOf(target);
    const { engine } = unit;
    const started = performance.now();
    let changed = true;
    if (action === 'start') changed = await this.observe(unit, engine.startContainer(target.id));
    else if (action === 'stop') changed = await this.observe(unit, engine.stopContainer(target.id, timeoutSeconds));
    else await this.observe(unit, engine.restartContainer(target.id, timeoutSeconds));
    const durationMs = Math.round(performance.now() - started);
    const after =
      (await whenStored(unit.store, target.id, shows(action, before), this.reflectTimeoutMs)) ??
      (await this.observe(unit, engine.inspectContainer(target.id)));
    return { engine: unit.name, id: after.id, name: after.name, action, changed, state: after.state, health: after.health?.status ?? 'none', durationMs };
  }

  private async observe<T>(unit: EngineUnit, promise: Promise<T>): Promise<T> {
    try {
      const value = await promise;
      unit.status.observe(undefined);
      return value;
    } catch (err) {
      unit.status.observe(err);
      throw err;
    }
  }
}
