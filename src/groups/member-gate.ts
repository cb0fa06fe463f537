import { isAppError } from '../errors.js';
import type { ContainerOutcome } from './schemas.js';
import type { ContainerReader } from '../containers/feature.js';
import type { ContainerSummary } from '../containers/container-view.js';
import type { ContainerRecord } from '../docker/container-record.js';
import type { ContainerService } from '../containers/container-service.js';
import { SYSTEM_PRINCIPAL } from '../access/principal.js';
import { waitForContainer, type WaitVerdict } from '../containers/wait-for-container.js';
import type { ActionSlots } from './action-slots.js';

export type GroupAction = 'start' | 'stop';

export interface StepOptions {
  stepTimeoutMs: number;
  stopTimeout?: number;
}

/** What acting on one member needs: the store's read side, the container service, the shared engine-call slots. */
export interface MemberActor {
  store: ContainerReader;
  containers: Pick<ContainerService, 'act'>;
  slots: ActionSlots;
}

/** Who a member outcome is about: where it runs, its id and name. */
export type MemberRef = Pick<ContainerOutcome, 'engine' | 'id' | 'name'>;

/** Acting on `member` since `started` ended as `outcome`. */
export function memberDone(member: MemberRef, started: number, outcome: ContainerOutcome['outcome']): ContainerOutcome {
  return { engine: member.engine, id: member.id, name: member.name, outcome, durationMs: Date.now() - started };
}

/** Acting on `member` since `started` threw `err`: cancelled (the operation was), else failed with its reason. */
export function memberFailed(member: MemberRef, started: number, err: unknown): ContainerOutcome {
  if (isAppError(err) && err.code === 'GROUP_OPERATION_CANCELLED') {
    return { ...memberDone(member, started, 'cancelled'), error: `${member.name}: the operation was cancelled` };
  }
  const reason = isAppError(err) ? err.message : 'unexpected error';
  return { ...memberDone(member, started, 'failed'), error: `${member.name}: ${reason}` };
}

function describeHealth(r: ContainerRecord | undefined): string {
  const h = r?.health;
  if (!h) return r?.running ? 'running' : (r?.state ?? 'removed');
  const last = h.log.at(-1)?.output.trim().slice(0, 200);
  return `health ${h.status}${last ? `, last check: ${last}` : ''}`;
}

/**
 * Up means running and, where a healthcheck exists, healthy. Unhealthy stays pending: a
 * check that failed its retries may still pass before the step timeout (a slow database).
 */
export function judgeUp(r: ContainerRecord | undefined): WaitVerdict {
  if (!r) return { failed: 'the container was removed' };
  if (!r.running) {
    if (r.restarting || r.state === 'created') return 'pending';
    return { failed: `exited with code ${r.exitCode}` };
  }
  const health = r.health?.status;
  return !health || health === 'none' || health === 'healthy' ? 'done' : 'pending';
}

export function judgeDown(r: ContainerRecord | undefined): WaitVerdict {
  return !r || !r.running ? 'done' : 'pending';
}

/**
 * Starts or stops one member and waits until it is up (running and healthy) or down. The
 * engine call takes one of the shared slots; the gate that follows holds none: it only
 * listens to the store's change events (the store re-inspects on each engine event, start
 * or health_status), so waiting for health costs no inspect of its own and no polling.
 * `act` already answers once the store shows the start or stop; the gate then picks up
 * from the store's current record, so no event between the two is missed.
 */
export async function actOnMember(
  actor: MemberActor,
  c: ContainerSummary,
  action: GroupAction,
  deadline: number,
  options: StepOptions,
  signal: AbortSignal,
): Promise<ContainerOutcome> {
  const started = Date.now();
  const running = actor.store.record(c.id, c.engine)?.running ?? false;
  const acts = action === 'start' ? !running : running;
  const outcome: ContainerOutcome['outcome'] = action === 'start' ? (acts ? 'started' : 'already-running') : acts ? 'stopped' : 'already-stopped';
  const seconds = Math.round(options.stepTimeoutMs / 1000);
  try {
    // An engine call in flight is not abandoned: the groups are freed only once it
    // answered, so a following operation never races a start or stop still under way. One
    // still waiting for a slot is dropped at once on cancel. The caller's right to the
    // group was checked; its members are acted on by the service.
    if (acts) await actor.slots.run(signal, () => actor.containers.act(`${c.engine}:${c.id}`, action, SYSTEM_PRINCIPAL, action === 'stop' ? options.stopTimeout : undefined));
    await waitForContainer(
      actor.store,
      c.id,
      action === 'start' ? judgeUp : judgeDown,
      Math.max(0, deadline - Date.now()),
      (d) => (action === 'start' ? `not up after ${seconds} s (${describeHealth(d)})` : `still running after ${seconds} s`),
      signal,
    );
    return memberDone(c, started, outcome);
  } catch (err) {
    return memberFailed(c, started, err);
  }
}
