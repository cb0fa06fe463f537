import type { SwarmNodeRecord, SwarmServiceRecord, SwarmTaskRecord } from '../docker/swarm-engine.js';
import type { Stack, SwarmNode, SwarmService, SwarmTask } from './schemas.js';
import { isRunning } from './swarm-diff.js';

/** What a service is classified by, for service groups: its name, stack and labels. */
export interface ClassifiableService {
  engine: string;
  id: string;
  name: string;
  stack: string | null;
  labels: Record<string, string>;
}

/** Which service groups a swarm service belongs to (the groups feature knows; app.ts wires it). */
export type ServiceGroupsOf = (service: ClassifiableService) => string[];

const TASK_HISTORY = 10;

export function taskView(t: SwarmTaskRecord, nodes: ReadonlyMap<string, SwarmNodeRecord> | ((id: string) => SwarmNodeRecord | undefined)): SwarmTask {
  const nodeOf = typeof nodes === 'function' ? nodes : (id: string) => nodes.get(id);
  return {
    id: t.id,
    serviceId: t.serviceId,
    slot: t.slot,
    nodeId: t.nodeId,
    node: t.nodeId ? (nodeOf(t.nodeId)?.hostname ?? null) : null,
    state: t.state,
    desiredState: t.desiredState,
    message: t.message,
    error: t.error,
    containerId: t.containerId,
    exitCode: t.exitCode,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

/** Tasks meant to run first (by slot), then the latest history: what `docker service ps` shows. */
export function orderedTasks(tasks: readonly SwarmTaskRecord[]): SwarmTaskRecord[] {
  const current = tasks.filter((t) => t.desiredState === 'running').sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0) || (a.nodeId ?? '').localeCompare(b.nodeId ?? ''));
  const history = tasks
    .filter((t) => t.desiredState !== 'running')
    .sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''))
    .slice(0, TASK_HISTORY);
  return [...current, ...history];
}

export function replicasOf(s: SwarmServiceRecord, tasks: readonly SwarmTaskRecord[]): SwarmService['replicas'] {
  const running = tasks.filter(isRunning).length;
  const desired = s.replicas ?? tasks.filter((t) => t.desiredState === 'running').length;
  return { desired, running };
}

export function serviceView(engine: string, s: SwarmServiceRecord, tasks: readonly SwarmTaskRecord[], groups: string[]): SwarmService {
  return {
    engine,
    id: s.id,
    version: s.version,
    name: s.name,
    stack: s.stack,
    mode: s.mode,
    replicas: replicasOf(s, tasks),
    image: s.image,
    labels: s.labels,
    ports: s.ports,
    updateStatus: s.updateStatus,
    canRollback: s.hasPreviousSpec,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    group: groups[0] ?? null,
    groups,
  };
}

export function nodeView(engine: string, n: SwarmNodeRecord, visibleRunningTasks: number): SwarmNode {
  return { engine, ...n, tasks: visibleRunningTasks };
}

/** Services grouped by com.docker.stack.namespace (per engine); services of no stack are left out. */
export function stacksOf(services: readonly SwarmService[]): Stack[] {
  const byKey = new Map<string, Stack>();
  for (const s of services) {
    if (!s.stack) continue;
    const key = `${s.engine}\u0000${s.stack}`;
    const stack = byKey.get(key) ?? { engine: s.engine, name: s.stack, services: 0, replicas: { desired: 0, running: 0 }, serviceNames: [] };
    stack.services++;
    stack.replicas.desired += s.replicas.desired;
    stack.replicas.running += s.replicas.running;
    stack.serviceNames.push(s.name);
    byKey.set(key, stack);
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.engine.localeCompare(b.engine));
}
