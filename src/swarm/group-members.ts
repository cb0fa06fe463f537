import { appError } from '../errors.js';
import type { ReplicaMemory } from '../storage/replica-memory.js';
import { isRunning } from './swarm-diff.js';
import type { EngineSwarm } from './swarm-engines.js';
import { replicasOf, type ClassifiableService } from './swarm-views.js';
import { waitForSwarm } from './wait-for-swarm.js';

/** What a group start or stop did to a service, and whether it changed anything. */
export interface ServiceMemberResult {
  changed: boolean;
  replicas: number;
}

/**
 * Swarm services as service-group members (the groups feature calls this through its own
 * ServiceMembers interface; app.ts hands it over). Start scales a service to the replicas
 * the group declares, else to what the last group stop saved, and waits until that many
 * tasks run (a task with a healthcheck runs only once healthy); stop saves the count and
 * scales to 0, waiting until none runs.
 */
export class SwarmGroupMembers {
  constructor(
    private readonly engines: readonly EngineSwarm[],
    private readonly memory: ReplicaMemory,
  ) {}

  /** Every service of every engine that answers (an unreachable one has none for now). */
  async services(): Promise<ClassifiableService[]> {
    const out: ClassifiableService[] = [];
    for (const e of this.engines) {
      if (!(await e.store.ready().then(() => true, () => false))) continue;
      for (const s of e.store.services()) out.push({ engine: e.name, id: s.id, name: s.name, stack: s.stack, labels: s.labels });
    }
    return out;
  }

  /** Every service of the engines whose store has its first picture, with replicas desired and running. */
  current(): (ClassifiableService & { replicas: { desired: number; running: number } })[] {
    return this.engines
      .filter((e) => e.store.isSynced)
      .flatMap((e) =>
        e.store.services().map((s) => ({ engine: e.name, id: s.id, name: s.name, stack: s.stack, labels: s.labels, replicas: replicasOf(s, e.store.tasks(s.id)) })),
      );
  }

  async act(member: ClassifiableService, action: 'start' | 'stop', declared: number | undefined, deadline: number, signal: AbortSignal): Promise<ServiceMemberResult> {
    const engine = this.engines.find((e) => e.name === member.engine);
    const record = engine?.store.service(member.id);
    if (!engine || !record) throw appError('SWARM_SERVICE_NOT_FOUND', `service ${member.name} is gone`);
    if (record.replicas === null) throw appError('SWARM_NOT_REPLICATED', `service ${member.name} is ${record.mode}: it cannot be scaled`);
    const store = engine.store;
    const target = action === 'stop' ? 0 : (declared ?? this.memory.get(engine.name, record.name) ?? Math.max(record.replicas, 1));
    const changed = record.replicas !== target;
    if (changed) {
      if (action === 'stop') this.memory.set(engine.name, record.name, record.replicas);
      await engine.client.updateService(record.id, undefined, { kind: 'scale', replicas: target });
      store.poke();
    }
    const running = () => store.tasks(record.id).filter(isRunning).length;
    // Stop: no task of it may still run (a task on its way out counts until it is gone).
    const up = () => store.tasks(record.id).filter((t) => t.state === 'running').length;
    const seconds = Math.round(Math.max(0, deadline - Date.now()) / 1000);
    await waitForSwarm(
      store,
      () => {
        const now = store.service(record.id);
        if (!now) return { failed: `service ${record.name} was removed` };
        return action === 'start' ? (running() === target && now.replicas === target ? 'done' : 'pending') : up() === 0 ? 'done' : 'pending';
      },
      Math.max(0, deadline - Date.now()),
      () => {
        const failing = store.tasks(record.id).find((t) => t.desiredState === 'running' && t.state !== 'running' && (t.error || t.message));
        const why = failing ? ` (task ${failing.state}: ${failing.error ?? failing.message})` : '';
        return action === 'start' ? `${running()} of ${target} tasks running after ${seconds} s${why}` : `${up()} tasks still running after ${seconds} s`;
      },
      signal,
    );
    return { changed, replicas: target };
  }
}
