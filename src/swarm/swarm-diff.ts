import type { SwarmServiceRecord, SwarmTaskRecord } from '../docker/swarm-engine.js';

/**
 * The new map of `next`, reporting what was added, changed or removed against `prev`.
 * Records are small flat objects from the engine's JSON, so comparing their JSON is exact.
 */
export function diffById<R extends { id: string }>(
  prev: ReadonlyMap<string, R>,
  next: readonly R[],
  onChange: (action: 'added' | 'updated' | 'removed', record: R) => void,
): Map<string, R> {
  const out = new Map<string, R>();
  for (const r of next) {
    out.set(r.id, r);
    const before = prev.get(r.id);
    if (!before) onChange('added', r);
    else if (JSON.stringify(before) !== JSON.stringify(r)) onChange('updated', r);
  }
  for (const [id, r] of prev) if (!out.has(id)) onChange('removed', r);
  return out;
}

/** A task that runs and is meant to (the engine marks a task running only once its healthcheck passed). */
export function isRunning(t: SwarmTaskRecord): boolean {
  return t.state === 'running' && t.desiredState === 'running';
}

/** Tasks the orchestrator still moves: asked to run but not there yet, or asked to stop but still up. */
function isMoving(t: SwarmTaskRecord): boolean {
  const settledStates = ['running', 'complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove'];
  if (t.desiredState === 'running') return t.state !== 'running';
  return t.state === 'running' || !settledStates.includes(t.state);
}

const UPDATING = new Set(['updating', 'rollback_started']);

/** Whether every service is where its spec wants it: no update under way, no task on its way. */
export function isSettled(services: readonly SwarmServiceRecord[], tasks: readonly SwarmTaskRecord[]): boolean {
  if (services.some((s) => s.updateStatus && UPDATING.has(s.updateStatus.state))) return false;
  if (tasks.some(isMoving)) return false;
  for (const s of services) {
    if (s.replicas === null) continue;
    const running = tasks.filter((t) => t.serviceId === s.id && isRunning(t)).length;
    if (running !== s.replicas) return false;
  }
  return true;
}
