import { appError } from '../errors.js';
import type { ContainerReader } from '../containers/feature.js';
import type { ComposeService } from '../compose/compose-service.js';

/** The label compose numbers a service's replicas with (1, 2, …); kept across a re-create. */
export const CONTAINER_NUMBER = 'com.docker.compose.container-number';

/** A compose member as its re-create needs it. */
export interface ComposeMember {
  id: string;
  name: string;
  composeProject: string | null;
  composeService: string | null;
  /** Its replica number (CONTAINER_NUMBER); null when it has none. */
  composeNumber: string | null;
}

/**
 * One `compose up` per service within one step (or one rollback): the replicas of a scaled
 * service are all members of the same step, and one up re-creates them all. A second up
 * per replica would re-create the first one's new containers again (or be refused while the
 * first holds the project). Made per step; each member awaits the shared run.
 */
export class ComposeBatch {
  private readonly runs = new Map<string, Promise<void>>();

  once(m: ComposeMember, run: () => Promise<void>): Promise<void> {
    const key = `${m.composeProject}\u0000${m.composeService}`;
    let p = this.runs.get(key);
    if (!p) this.runs.set(key, (p = run()));
    return p;
  }
}

/** `up -d --no-deps --force-recreate <service>` through the project; throws COMPOSE_FAILED saying how it ended. */
export async function composeUp(compose: Pick<ComposeService, 'run'> | undefined, m: ComposeMember): Promise<void> {
  if (!compose) throw appError('COMPOSE_UNAVAILABLE');
  const result = await compose.run('up', {
    project: m.composeProject as string,
    services: [m.composeService as string],
    options: { forceRecreate: true, noDeps: true },
  });
  if (result.exitCode !== 0) {
    const tail = result.output.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
    throw appError('COMPOSE_FAILED', `${m.name}: compose up ${m.composeService} exited with ${result.timedOut ? 'a timeout' : result.exitCode}: ${tail}`);
  }
}

/**
 * The container compose made for this member: same project, service and replica number,
 * neither the one it replaced nor `replacing`. The store trails the engine by an event, so
 * this waits (on the store's changes) up to 10 s for it to show.
 */
export async function composeSuccessor(store: ContainerReader, m: ComposeMember, replacing: string): Promise<string> {
  await store.ready();
  const find = () =>
    store
      .summaries()
      .find(
        (c) =>
          c.composeProject === m.composeProject &&
          c.composeService === m.composeService &&
          (m.composeNumber === null || c.labels[CONTAINER_NUMBER] === m.composeNumber) &&
          c.id !== replacing &&
          c.id !== m.id,
      )?.id;
  const found = find();
  if (found) return found;
  return new Promise<string>((resolve, reject) => {
    const onChange = () => {
      const id = find();
      if (id) done(() => resolve(id));
    };
    const timer = setTimeout(() => done(() => reject(appError('GROUP_OPERATION_FAILED', `${m.name}: compose re-created no container for ${m.composeService}`))), 10_000);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      store.off('change', onChange);
      settle();
    };
    store.on('change', onChange);
  });
}
