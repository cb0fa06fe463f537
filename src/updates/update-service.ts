import { EventEmitter } from 'node:events';
import { appError, isAppError } from '../errors.js';
import type { ContainerReader } from '../containers/feature.js';
import type { ContainerService } from '../containers/container-service.js';
import type { ContainerSummary } from '../containers/container-view.js';
import type { GroupCatalog } from '../groups/catalog.js';
import type { GroupRunner } from '../groups/group-runner.js';
import { hasPermission } from '../access/permissions.js';
import { canSeeGroup, type Viewer } from '../access/principal.js';
import type { UpdateChecker } from './checker.js';
import type { UpdateEngines } from './engine-ports.js';
import { runPlan, type AuditTrail, type PlanStep, type RolloutDeps } from './rollout.js';
import type { PruneResult, RolloutResult, UpdateStatus } from './schemas.js';
import type { UpdateProgress } from './stream-schemas.js';
import type { SupersededImages } from './superseded-store.js';

/** The step timeout when a caller names none (lowered to GROUP_STEP_TIMEOUT_MAX_SECONDS if that is less). */
const DEFAULT_STEP_TIMEOUT_SECONDS = 120;

export interface UpdateRun {
  groups: string[];
  run(onProgress: (e: UpdateProgress) => void, audit: AuditTrail): Promise<RolloutResult>;
  /** Frees what was held without running. */
  release(): void;
}

export interface UpdateServiceDeps extends RolloutDeps {
  catalog: GroupCatalog;
  runner: GroupRunner;
  containers: Pick<ContainerService, 'resolve'>;
  store: ContainerReader;
  /** Every configured engine (the prune visits each), and each one's image calls. */
  engines: Pick<UpdateEngines, 'images' | 'names'>;
  /** Images replaced by a successful update, with their engine: what an admin's prune may remove (when unused); kept in SQLite. */
  superseded: SupersededImages;
  stepTimeoutMaxSeconds: number;
}

/** What started a check: a caller (POST /updates/check) or the schedule (UPDATE_CHECK_INTERVAL). */
export type CheckTrigger = 'request' | 'schedule';

export interface UpdateServiceEvents {
  /** A check ended: what started it and how many containers it looked at. */
  checked: [{ trigger: CheckTrigger; containers: number; at: string }];
}

/** Update checks, group rollouts, single-container updates and the prune of superseded images. */
export class UpdateService extends EventEmitter<UpdateServiceEvents> {
  /** Containers (`${engine}:${id}`) outside any group under update now (a group's members are held through the group). */
  private readonly busy = new Set<string>();
  lastCheck: string | null = null;

  constructor(
    private readonly deps: UpdateServiceDeps,
    readonly checker: UpdateChecker,
  ) {
    super();
  }

  /** Checks the containers of one group, one container, or every one the viewer may see. */
  async check(scope: { group?: string; container?: string }, viewer: Viewer, trigger: CheckTrigger = 'request'): Promise<UpdateStatus[]> {
    await this.deps.store.ready();
    let targets: ContainerSummary[];
    if (scope.container) targets = [await this.deps.containers.resolve(scope.container, viewer)];
    else if (scope.group) {
      const g = this.visibleGroup(scope.group, viewer);
      targets = this.deps.catalog.membersOf(g, this.deps.store.summaries()).map((m) => m.container);
    } else targets = this.deps.store.summaries().filter((c) => this.checker.visible(viewer, c));
    const out = await this.checker.check(targets);
    this.lastCheck = new Date().toISOString();
    this.emit('checked', { trigger, containers: out.length, at: this.lastCheck });
    return out;
  }

  private visibleGroup(name: string, viewer: Viewer) {
    const g = this.deps.catalog.get(name);
    if (!g || !canSeeGroup(viewer, name)) throw appError('GROUP_NOT_FOUND', `No service group named ${name}`);
    return g;
  }

  private stepTimeoutMs(stepTimeout: number | undefined): number {
    const max = this.deps.stepTimeoutMaxSeconds;
    if (stepTimeout !== undefined && stepTimeout > max) throw appError('VALIDATION_ERROR', `stepTimeout=${stepTimeout} is above the limit of ${max} seconds (GROUP_STEP_TIMEOUT_MAX_SECONDS)`, { limit: max });
    return (stepTimeout ?? Math.min(DEFAULT_STEP_TIMEOUT_SECONDS, max)) * 1000;
  }

  /**
   * A group rollout. A group the caller cannot see does not exist (404) before its lack of
   * WRITE is told (403); withDependencies may not reach a hidden group. Holds the groups
   * (409 GROUP_BUSY while a start, stop or update holds one) unless it is a dry run.
   */
  async prepareGroup(group: string, q: { withDependencies: boolean; dryRun: boolean; stepTimeout?: number }, viewer: Viewer): Promise<UpdateRun> {
    await this.deps.store.ready();
    this.visibleGroup(group, viewer);
    if (!hasPermission(viewer.role, 'WRITE')) throw appError('FORBIDDEN', `Your role (${viewer.role}) lacks the WRITE permission on ${group}`);
    const stepTimeoutMs = this.stepTimeoutMs(q.stepTimeout);
    const chain = [...(q.withDependencies ? this.deps.catalog.dependenciesOf(group) : []), group];
    if (chain.some((g) => !canSeeGroup(viewer, g))) throw appError('FORBIDDEN', 'withDependencies would update groups outside yours; update the group without it, or ask an admin');
    const hold = q.dryRun ? undefined : this.deps.runner.hold(group, chain, viewer);
    const plan = (): PlanStep[] =>
      chain.flatMap((name) => {
        const def = this.deps.catalog.get(name);
        const members = def ? this.deps.catalog.membersOf(def, this.deps.store.summaries()) : [];
        return this.deps.catalog.steps(members).map((containers, step) => ({ group: name, step, members: containers }));
      });
    return this.runner(group, chain, plan, q.dryRun, stepTimeoutMs, hold);
  }

  /** One container (EXECUTE): the same re-create, gate and rollback; holds its groups too. */
  async prepareContainer(ref: string, q: { dryRun: boolean; stepTimeout?: number }, viewer: Viewer): Promise<UpdateRun> {
    const c = await this.deps.containers.resolve(ref, viewer);
    const stepTimeoutMs = this.stepTimeoutMs(q.stepTimeout);
    let hold: { signal: AbortSignal; release(): void } | undefined;
    const key = `${c.engine}:${c.id}`;
    const current = () => this.deps.store.summary(c.id, undefined, c.engine);
    if (!q.dryRun) {
      if (this.busy.has(key)) throw appError('GROUP_BUSY', `An update of ${c.name} is running`);
      const groups = current()?.groups ?? c.groups;
      try {
        const held = groups.length > 0 ? this.deps.runner.hold(groups[0] as string, [...groups], viewer) : undefined;
        this.busy.add(key);
        const controller = new AbortController();
        hold = {
          signal: held?.signal ?? controller.signal,
          release: () => {
            this.busy.delete(key);
            held?.release();
          },
        };
      } catch (err) {
        // Which (maybe hidden) group is busy is not said.
        if (isAppError(err) && err.code === 'GROUP_BUSY') throw appError('GROUP_BUSY', `A group of ${c.name} is being started, stopped or updated; wait for it to finish`);
        throw err;
      }
    }
    return this.runner(c.name, [], () => [{ group: c.group ?? '', step: 0, members: [current() ?? c] }], q.dryRun, stepTimeoutMs, hold);
  }

  private runner(label: string, groups: string[], plan: () => PlanStep[], dryRun: boolean, stepTimeoutMs: number, hold: { signal: AbortSignal; release(): void } | undefined): UpdateRun {
    let used = false;
    const signal = hold?.signal ?? new AbortController().signal;
    return {
      groups,
      run: async (onProgress, audit) => {
        if (used) throw new Error('an update runs once');
        used = true;
        try {
          return await runPlan(this.deps, label, groups, plan(), { dryRun, stepTimeoutMs, signal, onProgress, audit }, this.deps.superseded);
        } finally {
          hold?.release();
        }
      },
      release: () => {
        if (used) return;
        used = true;
        hold?.release();
      },
    };
  }

  /**
   * Removes images replaced by successful updates that no container of their engine uses
   * now (the engine refuses one in use anyway), each on its own engine. An engine that does
   * not answer keeps its images listed for the next prune.
   */
  async prune(): Promise<PruneResult> {
    await this.deps.store.ready();
    const result: PruneResult = { removed: [], kept: [] };
    const byEngine = new Map<string, string[]>();
    for (const { engine, imageId } of this.deps.superseded.list()) byEngine.set(engine, [...(byEngine.get(engine) ?? []), imageId]);
    const configured = new Set(this.deps.engines.names());
    for (const [engine, ids] of byEngine) {
      if (!configured.has(engine)) {
        for (const id of ids) result.kept.push({ engine, id, reason: 'the engine is not configured now' });
        continue;
      }
      const images = this.deps.engines.images(engine);
      let tags: Map<string, string[]>;
      try {
        tags = new Map((await images.listImages()).map((i) => [i.id, i.repoTags]));
      } catch {
        for (const id of ids) result.kept.push({ engine, id, reason: 'the engine did not answer' });
        continue;
      }
      const inUse = new Set(this.deps.store.summaries().filter((c) => c.engine === engine).map((c) => c.imageId));
      for (const id of ids) {
        if (!tags.has(id)) {
          this.deps.superseded.delete(engine, id); // gone already
        } else if (inUse.has(id)) {
          result.kept.push({ engine, id, reason: 'a container uses it' });
        } else {
          try {
            await images.removeImage(id);
            this.deps.superseded.delete(engine, id);
            result.removed.push({ engine, id, tags: tags.get(id) ?? [] });
          } catch (err) {
            result.kept.push({ engine, id, reason: isAppError(err) && err.code === 'CONTAINER_CONFLICT' ? 'the engine refused: in use or tagged more than once' : 'the engine refused' });
          }
        }
      }
    }
    return result;
  }
}
