import type { ClassifiableService } from './catalog.js';
import type { ContainerOutcome, GroupSwarmMember } from './schemas.js';
import { memberDone, memberFailed, type GroupAction } from './member-gate.js';

/** A swarm service as group views show it: where it runs and its replicas desired and running now. */
export interface ServiceMemberView extends ClassifiableService {
  replicas: { desired: number; running: number };
}

/**
 * What the runner needs of swarm services to start and stop them as group members. The
 * swarm feature provides it (app.ts hands it over); groups does not know swarm itself.
 */
export interface ServiceMembers {
  /** Every swarm service known now, on every engine that answers. */
  services(): Promise<ClassifiableService[]>;
  /** The services of the engines whose picture is read already, as they are now (group views: no waiting). */
  current(): ServiceMemberView[];
  /**
   * start: scale to `replicas` (else the count the last stop saved) and wait until that many
   * tasks run and are healthy; stop: save the count, scale to 0, wait until none runs.
   * Rejects GROUP_OPERATION_FAILED at `deadline`, GROUP_OPERATION_CANCELLED on `signal`.
   */
  act(service: ClassifiableService, action: GroupAction, replicas: number | undefined, deadline: number, signal: AbortSignal): Promise<{ changed: boolean; replicas: number }>;
}

/** A swarm service in a group's steps, beside the containers. */
export interface ServiceStepItem {
  /** The service's engine (as a container member has its own). */
  engine: string;
  id: string;
  name: string;
  service: ClassifiableService;
  replicas?: number;
}

/** Starts or stops one swarm service member; the outcome reads like a container's, named `engine:service`. */
export async function actOnService(members: ServiceMembers, item: ServiceStepItem, action: GroupAction, deadline: number, signal: AbortSignal): Promise<ContainerOutcome> {
  const started = Date.now();
  try {
    const { changed } = await members.act(item.service, action, item.replicas, deadline, signal);
    const outcome: ContainerOutcome['outcome'] = action === 'start' ? (changed ? 'started' : 'already-running') : changed ? 'stopped' : 'already-stopped';
    return memberDone(item, started, outcome);
  } catch (err) {
    return memberFailed(item, started, err);
  }
}

/** A swarm member as a step item: named `engine:service`, with the replicas its rule declares. */
export function serviceStepItem(service: ClassifiableService, declared: number | undefined): ServiceStepItem {
  return { engine: service.engine, id: service.id, name: `${service.engine}:${service.name}`, service, ...(declared !== undefined ? { replicas: declared } : {}) };
}

/** A swarm member as one member of a group's status: running once every desired task runs (and one is desired). */
export function serviceAsMember(s: ServiceMemberView): { state: string; health: 'none' } {
  const { desired, running } = s.replicas;
  return { state: desired > 0 && running >= desired ? 'running' : 'exited', health: 'none' };
}

export function swarmMemberView(s: ServiceMemberView, step?: number): GroupSwarmMember {
  return { engine: s.engine, id: s.id, name: s.name, ...(step !== undefined ? { step } : {}), replicas: { ...s.replicas } };
}
