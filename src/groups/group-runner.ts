import { setMaxListeners } from 'node:events';
import { appError, isAppError } from '../errors.js';
import type { GroupCatalog } from './catalog.js';
import type { ContainerOutcome, GroupActionResult, GroupCancelResult, GroupRun } from './schemas.js';
import type { ContainerReader } from '../containers/feature.js';
import type { ContainerService } from '../containers/container-service.js';
import { canSeeGroup, type Principal, type Viewer } from '../access/principal.js';
import { membersOnHiddenEngines } from './engine-reach.js';
import { ActionSlots, MEMBER_ACTION_CONCURRENCY } from './action-slots.js';
import { actOnMember, type GroupAction, type MemberActor, type StepOptions } from './member-gate.js';
import type { GroupMember } from './catalog.js';
import type { ContainerSummary } from '../containers/container-view.js';
import { actOnService, serviceStepItem, type ServiceMembers, type ServiceStepItem } from './service-members.js';

export type { GroupAction };

/** The step timeout when a caller names none (lowered to the configured cap if that is less). */
export const DEFAULT_STEP_TIMEOUT_SECONDS = 120;

export interface GroupRunOptions {
  withDependencies: boolean;
  /** Seconds a step may take; at most the configured cap. */
  stepTimeout?: number;
  /** stop: seconds the engine waits before killing a member; at most the configured cap. */
  stopTimeout?: number;
}

export interface GroupRunnerLimits {
  /** GROUP_STEP_TIMEOUT_MAX_SECONDS: no caller holds a group longer than this per step. */
  stepTimeoutMaxSeconds: number;
  /** Engine start/stop calls in flight at most, across operations (default MEMBER_ACTION_CONCURRENCY). */
  actionConcurrency?: number;
}

export type GroupProgress =
  | { type: 'group'; group: string; phase: 'begin' | 'end'; ok?: boolean }
  | { type: 'step'; group: string; step: number; containers: string[] }
  | ({ type: 'container'; group: string; step: number } & ContainerOutcome)
  | { type: 'cancelled'; group: string; by: string };

/** A reserved operation: the groups are locked until `run` settles. */
export interface GroupOperation {
  chain: string[];
  run(onProgress?: (event: GroupProgress) => void): Promise<GroupActionResult>;
  /** Frees the groups without running (the caller could not proceed). */
  release(): void;
}

/** A reserved or running operation, as cancel finds it. */
interface Running {
  action: GroupAction | 'update';
  group: string;
  chain: string[];
  startedBy: Principal;
  controller: AbortController;
  cancelledBy?: string;
  /** Resolves once the operation ended and its groups are free. */
  settled: Promise<void>;
}

/** Same caller: the same subject, and the same local user when either is one. */
function sameCaller(a: Principal, b: Principal): boolean {
  return a.sub === b.sub && a.userId === b.userId;
}

/** Settles like `work`, or rejects GROUP_OPERATION_CANCELLED as soon as `signal` aborts. */
function unlessCancelled<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  const cancelled = () => appError('GROUP_OPERATION_CANCELLED');
  if (signal.aborted) {
    work.catch(() => undefined); // it finishes on its own; nobody waits for it any more
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Starts and stops whole groups: members step by step in dependency order (a step's
 * members in parallel), each step gated on running and healthy; stop goes in reverse.
 * One operation per group at a time. A failure stops the sequence and says where; an
 * admin or the caller who started it may cancel it.
 */
export class GroupRunner {
  /** Every group a reserved or running operation holds, to that operation. */
  private readonly running = new Map<string, Running>();
  private readonly actor: MemberActor;

  constructor(
    private readonly catalog: GroupCatalog,
    private readonly store: ContainerReader,
    containers: Pick<ContainerService, 'act'>,
    private readonly limits: GroupRunnerLimits,
    /** Swarm services that groups may name as members; none without it. */
    private readonly services?: ServiceMembers,
  ) {
    this.actor = { store, containers, slots: new ActionSlots(limits.actionConcurrency ?? MEMBER_ACTION_CONCURRENCY) };
  }

  isBusy(group: string): boolean {
    return this.running.has(group);
  }

  /** The engine-call slots every group operation shares (an image update takes them too). */
  get slots(): ActionSlots {
    return this.actor.slots;
  }

  /**
   * Holds `chain` for an operation of another feature (an image update): GROUP_BUSY while
   * a start, stop or update holds one of them, and cancel stops it as it stops a start.
   * The caller checked the right to `group`; `release` frees every group of the chain.
   */
  hold(group: string, chain: string[], viewer: Principal): { signal: AbortSignal; release(): void } {
    const taken = chain.filter((g) => this.running.has(g));
    if (taken.length > 0) throw appError('GROUP_BUSY', `An operation on ${taken.join(', ')} is running; wait for it to finish or cancel it`);
    let settle = () => undefined as void;
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const op: Running = { action: 'update', group, chain, startedBy: viewer, controller, settled: new Promise<void>((resolve) => (settle = resolve)) };
    for (const g of chain) this.running.set(g, op);
    return {
      signal: controller.signal,
      release: () => {
        for (const g of chain) if (this.running.get(g) === op) this.running.delete(g);
        settle();
      },
    };
  }

  /** reserve() once the store is synced: DOCKER_UNAVAILABLE before anything is locked or streamed. */
  async prepare(group: string, action: GroupAction, options: GroupRunOptions, viewer: Viewer): Promise<GroupOperation> {
    await this.store.ready();
    return this.reserve(group, action, options, viewer);
  }

  /**
   * Locks the groups the operation touches, or throws at once: GROUP_NOT_FOUND,
   * VALIDATION_ERROR (a timeout above the cap), FORBIDDEN (withDependencies would reach a
   * group the caller cannot see; which one is not said), GROUP_BUSY.
   */
  reserve(group: string, action: GroupAction, options: GroupRunOptions, viewer: Viewer): GroupOperation {
    if (!this.catalog.get(group) || (viewer && !canSeeGroup(viewer, group))) throw appError('GROUP_NOT_FOUND', `No service group named ${group}`);
    const max = this.limits.stepTimeoutMaxSeconds;
    for (const [name, value] of [['stepTimeout', options.stepTimeout], ['timeout', options.stopTimeout]] as const) {
      if (value !== undefined && value > max) {
        throw appError('VALIDATION_ERROR', `${name}=${value} is above the limit of ${max} seconds (GROUP_STEP_TIMEOUT_MAX_SECONDS)`, { limit: max });
      }
    }
    const stepTimeoutMs = (options.stepTimeout ?? Math.min(DEFAULT_STEP_TIMEOUT_SECONDS, max)) * 1000;
    const extra = !options.withDependencies ? [] : action === 'start' ? this.catalog.dependenciesOf(group) : this.catalog.dependantsOf(group);
    const chain = [...extra, group];
    // Hidden groups do not exist for this caller: refuse without naming them.
    if (viewer && chain.some((g) => !canSeeGroup(viewer, g))) {
      throw appError('FORBIDDEN', `withDependencies would ${action} groups outside yours; ${action} ${group} without it, or ask an admin`);
    }
    // Members on engines hidden from the caller: the service would act where the caller cannot see; refused, unnamed.
    if (!viewer.engines.includes('*') && membersOnHiddenEngines(this.catalog, this.store.summaries(), chain, viewer)) {
      throw appError('FORBIDDEN', `${action} ${group} would act on containers outside the engines you may see; ask an admin`);
    }
    const taken = chain.filter((g) => this.running.has(g));
    if (taken.length > 0) throw appError('GROUP_BUSY', `A start or stop of ${taken.join(', ')} is running; wait for it to finish or cancel it`);
    let settle = () => undefined as void;
    const controller = new AbortController();
    // Every member of a step listens for the cancel (a step may hold hundreds): not a leak.
    setMaxListeners(0, controller.signal);
    const op: Running & { action: GroupAction } = {
      action,
      group,
      chain,
      startedBy: viewer,
      controller,
      settled: new Promise<void>((resolve) => (settle = resolve)),
    };
    for (const g of chain) this.running.set(g, op);
    let used = false;
    const release = () => {
      for (const g of chain) if (this.running.get(g) === op) this.running.delete(g);
      settle();
    };
    return {
      chain,
      run: (onProgress = () => undefined) => {
        if (used) throw new Error('a group operation runs once');
        used = true;
        return this.execute(op, { stepTimeoutMs, stopTimeout: options.stopTimeout }, onProgress).finally(release);
      },
      release: () => {
        if (used) return;
        used = true;
        release();
      },
    };
  }

  /**
   * Cancels the operation holding `group` (any group of its chain): it stops waiting at
   * once (an engine call in flight is let finish: at most ENGINE_TIMEOUT_MS, or a stop's
   * capped grace), reports `cancelled`, and its groups are free when this resolves. Only an
   * admin or the caller who started it may; others get FORBIDDEN.
   */
  async cancel(group: string, viewer: Principal): Promise<GroupCancelResult> {
    if (!this.catalog.get(group) || !canSeeGroup(viewer, group)) throw appError('GROUP_NOT_FOUND', `No service group named ${group}`);
    const op = this.running.get(group);
    if (!op) throw appError('GROUP_OPERATION_NOT_FOUND', `No start or stop of ${group} is running`);
    if (viewer.role !== 'admin' && !sameCaller(viewer, op.startedBy)) {
      throw appError('FORBIDDEN', 'Only an admin or the caller who started it may cancel this operation');
    }
    if (!op.controller.signal.aborted) {
      op.cancelledBy = viewer.sub;
      op.controller.abort();
    }
    await op.settled;
    return { action: op.action, group: op.group, groups: op.chain, startedBy: op.startedBy.sub, cancelledBy: op.cancelledBy ?? viewer.sub };
  }

  private async execute(op: Running & { action: GroupAction }, options: StepOptions, onProgress: (event: GroupProgress) => void): Promise<GroupActionResult> {
    const started = Date.now();
    const { signal } = op.controller;
    const onAbort = () => onProgress({ type: 'cancelled', group: op.group, by: op.cancelledBy ?? 'unknown' });
    signal.addEventListener('abort', onAbort, { once: true });
    const result: GroupActionResult = { action: op.action, group: op.group, ok: true, durationMs: 0, groups: [] };
    try {
      await unlessCancelled(this.store.ready(), signal);
      for (const name of op.chain) {
        if (signal.aborted) break;
        onProgress({ type: 'group', group: name, phase: 'begin' });
        const run = await this.runGroup(name, op.action, options, signal, onProgress, result);
        result.groups.push(run);
        onProgress({ type: 'group', group: name, phase: 'end', ok: run.ok });
        if (!run.ok) break;
      }
    } catch (err) {
      if (!(isAppError(err) && err.code === 'GROUP_OPERATION_CANCELLED')) throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    // Members cut short by the cancel are `cancelled`, not failed: `failure` stays for real ones.
    if (signal.aborted) result.cancelled = { by: op.cancelledBy ?? 'unknown', at: new Date().toISOString() };
    result.ok = !signal.aborted && result.groups.every((g) => g.ok);
    result.durationMs = Date.now() - started;
    return result;
  }

  private async runGroup(
    name: string,
    action: GroupAction,
    options: StepOptions,
    signal: AbortSignal,
    onProgress: (event: GroupProgress) => void,
    result: GroupActionResult,
  ): Promise<GroupRun> {
    const started = Date.now();
    const definition = this.catalog.get(name);
    const members: GroupMember<ContainerSummary | ServiceStepItem>[] = definition ? this.catalog.membersOf(definition, this.store.summaries()) : [];
    if (definition && this.services) {
      for (const m of this.catalog.serviceMembersOf(definition, await this.services.services())) {
        members.push({ container: serviceStepItem(m.container, m.rule?.swarm?.replicas), ...(m.rule ? { rule: m.rule } : {}) });
      }
    }
    const steps = this.catalog.steps(members);
    const ordered = action === 'start' ? steps.map((s, i) => ({ step: i, containers: s })) : steps.map((s, i) => ({ step: i, containers: s })).reverse();
    const run: GroupRun = { group: name, ok: true, durationMs: 0, steps: [] };
    for (const { step, containers } of ordered) {
      if (!run.ok || signal.aborted) {
        run.ok = false;
        run.steps.push({ step, containers: containers.map((c) => ({ engine: c.engine, id: c.id, name: c.name, outcome: 'skipped', durationMs: 0 })) });
        continue;
      }
      onProgress({ type: 'step', group: name, step, containers: containers.map((c) => c.name) });
      const deadline = Date.now() + options.stepTimeoutMs;
      const outcomes = await Promise.all(
        containers.map(async (c) => {
          const outcome =
            'service' in c && this.services
              ? await actOnService(this.services, c, action, deadline, signal)
              : await actOnMember(this.actor, c as ContainerSummary, action, deadline, options, signal);
          onProgress({ type: 'container', group: name, step, ...outcome });
          return outcome;
        }),
      );
      run.steps.push({ step, containers: outcomes });
      const failed = outcomes.find((o) => o.outcome === 'failed' || o.outcome === 'cancelled');
      if (failed) {
        run.ok = false;
        if (failed.outcome === 'failed') result.failure = { group: name, step, engine: failed.engine, container: failed.name, reason: failed.error ?? 'failed' };
      }
    }
    run.durationMs = Date.now() - started;
    return run;
  }
}
