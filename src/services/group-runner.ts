import type { EngineContainerDetails } from '../docker/types.js';
import { appError, isAppError } from '../errors.js';
import type { GroupCatalog } from '../groups/catalog.js';
import type { ContainerOutcome, GroupActionResult, GroupRun } from '../schemas/groups.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerSummary } from './container-view.js';
import type { ContainerService, Viewer } from './containers.js';
import { canSeeGroup } from '../auth/principal.js';
import { waitForContainer, type WaitVerdict } from './wait-for-container.js';

export type GroupAction = 'start' | 'stop';

export interface GroupRunOptions {
  withDependencies: boolean;
  stepTimeoutMs: number;
  /** stop: seconds the engine waits before killing a member. */
  stopTimeout?: number;
}

export type GroupProgress =
  | { type: 'group'; group: string; phase: 'begin' | 'end'; ok?: boolean }
  | { type: 'step'; group: string; step: number; containers: string[] }
  | ({ type: 'container'; group: string; step: number } & ContainerOutcome);

/** A reserved operation: the groups are locked until `run` settles. */
export interface GroupOperation {
  chain: string[];
  run(onProgress?: (event: GroupProgress) => void): Promise<GroupActionResult>;
  /** Frees the groups without running (the caller could not proceed). */
  cancel(): void;
}

function describeHealth(d: EngineContainerDetails | undefined): string {
  const h = d?.State.Health;
  if (!h) return d?.State.Running ? 'running' : (d?.State.Status ?? 'removed');
  const last = h.Log?.at(-1)?.Output.trim().slice(0, 200);
  return `health ${h.Status}${last ? `, last check: ${last}` : ''}`;
}

/** Up means running and, where a healthcheck exists, healthy. */
function judgeUp(d: EngineContainerDetails | undefined): WaitVerdict {
  if (!d) return { failed: 'the container was removed' };
  if (!d.State.Running) {
    if (d.State.Restarting || d.State.Status === 'created') return 'pending';
    return { failed: `exited with code ${d.State.ExitCode}` };
  }
  const health = d.State.Health?.Status;
  return !health || health === 'none' || health === 'healthy' ? 'done' : 'pending';
}

function judgeDown(d: EngineContainerDetails | undefined): WaitVerdict {
  return !d || !d.State.Running ? 'done' : 'pending';
}

/**
 * Starts and stops whole groups: members step by step in dependency order (a step's
 * members in parallel), each step gated on running and healthy; stop goes in reverse.
 * One operation per group at a time. A failure stops the sequence and says where.
 */
export class GroupRunner {
  private readonly busy = new Set<string>();

  constructor(
    private readonly catalog: GroupCatalog,
    private readonly store: ContainerStore,
    private readonly containers: ContainerService,
  ) {}

  isBusy(group: string): boolean {
    return this.busy.has(group);
  }

  /** Locks the groups the operation touches, or throws GROUP_NOT_FOUND / GROUP_BUSY at once. */
  reserve(group: string, action: GroupAction, options: GroupRunOptions, viewer?: Viewer): GroupOperation {
    if (!this.catalog.get(group) || (viewer && !canSeeGroup(viewer, group))) throw appError('GROUP_NOT_FOUND', `No service group named ${group}`);
    const extra = !options.withDependencies ? [] : action === 'start' ? this.catalog.dependenciesOf(group) : this.catalog.dependantsOf(group);
    const chain = [...extra, group];
    const outOfReach = viewer ? chain.filter((g) => !canSeeGroup(viewer, g)) : [];
    if (outOfReach.length > 0) {
      throw appError('FORBIDDEN', `withDependencies would ${action} ${outOfReach.join(', ')}, outside your groups`);
    }
    const taken = chain.filter((g) => this.busy.has(g));
    if (taken.length > 0) throw appError('GROUP_BUSY', `A start or stop of ${taken.join(', ')} is running; wait for it to finish`);
    for (const g of chain) this.busy.add(g);
    let used = false;
    const release = () => {
      for (const g of chain) this.busy.delete(g);
    };
    return {
      chain,
      run: (onProgress = () => undefined) => {
        if (used) throw new Error('a group operation runs once');
        used = true;
        return this.execute(group, action, chain, options, onProgress).finally(release);
      },
      cancel: () => {
        if (used) return;
        used = true;
        release();
      },
    };
  }

  private async execute(
    group: string,
    action: GroupAction,
    chain: string[],
    options: GroupRunOptions,
    onProgress: (event: GroupProgress) => void,
  ): Promise<GroupActionResult> {
    const started = Date.now();
    await this.store.ready();
    const result: GroupActionResult = { action, group, ok: true, durationMs: 0, groups: [] };
    for (const name of chain) {
      onProgress({ type: 'group', group: name, phase: 'begin' });
      const run = await this.runGroup(name, action, options, onProgress, result);
      result.groups.push(run);
      onProgress({ type: 'group', group: name, phase: 'end', ok: run.ok });
      if (!run.ok) {
        result.ok = false;
        break;
      }
    }
    result.durationMs = Date.now() - started;
    return result;
  }

  private async runGroup(
    name: string,
    action: GroupAction,
    options: GroupRunOptions,
    onProgress: (event: GroupProgress) => void,
    result: GroupActionResult,
  ): Promise<GroupRun> {
    const started = Date.now();
    const definition = this.catalog.get(name);
    const members = definition ? this.catalog.membersOf(definition, this.store.summaries()) : [];
    const steps = this.catalog.steps(members);
    const ordered = action === 'start' ? steps.map((s, i) => ({ step: i, containers: s })) : steps.map((s, i) => ({ step: i, containers: s })).reverse();
    const run: GroupRun = { group: name, ok: true, durationMs: 0, steps: [] };
    for (const { step, containers } of ordered) {
      if (!run.ok) {
        run.steps.push({ step, containers: containers.map((c) => ({ id: c.id, name: c.name, outcome: 'skipped', durationMs: 0 })) });
        continue;
      }
      onProgress({ type: 'step', group: name, step, containers: containers.map((c) => c.name) });
      const deadline = Date.now() + options.stepTimeoutMs;
      const outcomes = await Promise.all(
        containers.map(async (c) => {
          const outcome = await this.actOn(c, action, deadline, options);
          onProgress({ type: 'container', group: name, step, ...outcome });
          return outcome;
        }),
      );
      run.steps.push({ step, containers: outcomes });
      const failed = outcomes.find((o) => o.outcome === 'failed');
      if (failed) {
        run.ok = false;
        result.failure = { group: name, step, container: failed.name, reason: failed.error ?? 'failed' };
      }
    }
    run.durationMs = Date.now() - started;
    return run;
  }

  private async actOn(c: ContainerSummary, action: GroupAction, deadline: number, options: GroupRunOptions): Promise<ContainerOutcome> {
    const started = Date.now();
    const running = this.store.raw(c.id)?.State.Running ?? false;
    const acts = action === 'start' ? !running : running;
    const outcome: ContainerOutcome['outcome'] = action === 'start' ? (acts ? 'started' : 'already-running') : acts ? 'stopped' : 'already-stopped';
    const seconds = Math.round(options.stepTimeoutMs / 1000);
    try {
      if (acts) await this.containers.act(c.id, action, action === 'stop' ? options.stopTimeout : undefined);
      await waitForContainer(
        this.store,
        c.id,
        action === 'start' ? judgeUp : judgeDown,
        Math.max(0, deadline - Date.now()),
        (d) => (action === 'start' ? `not up after ${seconds} s (${describeHealth(d)})` : `still running after ${seconds} s`),
      );
      return { id: c.id, name: c.name, outcome, durationMs: Date.now() - started };
    } catch (err) {
      const reason = isAppError(err) ? err.message : 'unexpected error';
      return { id: c.id, name: c.name, outcome: 'failed', durationMs: Date.now() - started, error: `${c.name}: ${reason}` };
    }
  }
}
