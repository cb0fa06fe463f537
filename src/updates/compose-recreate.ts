import { appError } from '../errors.js';
import type { ContainerReader } from '../containers/feature.js';
import type { ComposeService } from '../compose/compose-service.js';

/** The label compose numbers a service's replicas with (1, 2, …); kept across a re-create. */
export const CONTAINER_NUMBER = 'com.docker.compose.container-number';

/** What the re-create needs of the compose feature: up, and which engine a managed project runs on. */
export type ComposeRunner = Pick<ComposeService, 'run' | 'managed' | 'engineOf'>;

/** A compose member as its re-create needs it. */
export interface ComposeMember {
  /** The engine the container runs on; its project must run there too. */
  engine: string;
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
    const key = `${m.engine}\u0000${m.composeProject}\u0000${m.composeService}`;
    let p = this.runs.get(key);
    if (!p) this.runs.set(key, (p = run()));
    return p;
  }
}

/**
 * `up -d --no-deps --force-recreate <service>` through the project, which compose runs with
 * its engine's DOCKER_HOST (compose/engine-env.ts); throws COMPOSE_FAILED saying how it
 * ended. A project managed here under that name but on another engine than the member's is
 * not the member's project: refused before anything runs.
 */
export async function composeUp(compose: ComposeRunner | undefined, m: ComposeMember): Promise<void> {
  if (!compose) throw appError('COMPOSE_UNAVAILABLE');
  const project = compose.managed().find((p) => p.name === m.composeProject);
  if (project && compose.engineOf(project) !== m.engine) {
    throw appError('COMPOSE_FAILED', `${m.name}: compose project ${m.composeProject} is managed on engine ${compose.engineOf(project)}, not on ${m.engine} where the container runs`);
  }
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
 * The container compose made for this member: same engine, project, service and replica number,
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
          c.engine === m.engine &&
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
