import type { ServiceChange } from '../docker/swarm-engine.js';
import { appError } from '../errors.js';
import { withVisibleGroups, type Viewer } from '../access/principal.js';
import type { NodeActionResult, ServiceActionResult, Stack, SwarmNode, SwarmService, SwarmServiceDetails } from './schemas.js';
import { isRunning } from './swarm-diff.js';
import type { EngineSwarm, FoundService, SwarmEngines } from './swarm-engines.js';
import { nodeView, orderedTasks, serviceView, stacksOf, taskView } from './swarm-views.js';

export type ServiceAction = 'scale' | 'restart' | 'rollback';

function engineStates(ready: readonly EngineSwarm[], unreachable: readonly EngineSwarm[]) {
  return [
    ...ready.map((e) => ({ engine: e.name, ...e.store.state })),
    ...unreachable.map((e) => ({ engine: e.name, localNodeState: 'unreachable', manager: false, nodeId: null })),
  ];
}

/**
 * Swarm services, tasks, stacks and nodes as a caller may see them, and the changes it may
 * make. Reads come from the live stores; each change goes to the engine with the version
 * index the caller read (or the current one), so a stale change is refused there.
 */
export class SwarmServices {
  constructor(private readonly engines: SwarmEngines) {}

  private view(found: FoundService, viewer: Viewer): SwarmService {
    const { engine, record, groups } = found;
    return withVisibleGroups(viewer, serviceView(engine.name, record, engine.store.tasks(record.id), groups));
  }

  async list(viewer: Viewer, engine?: string) {
    const { ready, unreachable } = await this.engines.ready(engine, viewer);
    const services = this.engines
      .visibleServices(ready, viewer)
      .map((f) => this.view(f, viewer))
      .sort((a, b) => a.name.localeCompare(b.name) || a.engine.localeCompare(b.engine));
    return { engines: engineStates(ready, unreachable), services };
  }

  async details(ref: string, viewer: Viewer, engine?: string): Promise<SwarmServiceDetails> {
    const found = await this.engines.findService(ref, engine, viewer);
    const store = found.engine.store;
    const tasks = orderedTasks(store.tasks(found.record.id)).map((t) => taskView(t, (id) => store.node(id)));
    return { ...this.view(found, viewer), tasks };
  }

  async stacks(viewer: Viewer, engine?: string): Promise<Stack[]> {
    return stacksOf((await this.list(viewer, engine)).services);
  }

  /** Nodes of the manager engines the reader may see; `tasks` counts only the running tasks of services it may see. */
  async nodes(viewer: Viewer, engine?: string): Promise<{ engines: ReturnType<typeof engineStates>; nodes: SwarmNode[] }> {
    const { ready, unreachable } = await this.engines.ready(engine, viewer);
    const visible = new Set(this.engines.visibleServices(ready, viewer).map((f) => `${f.engine.name}/${f.record.id}`));
    const nodes = ready.flatMap((e) =>
      e.store.nodes().map((n) => {
        const running = e.store.tasks().filter((t) => t.nodeId === n.id && isRunning(t) && visible.has(`${e.name}/${t.serviceId}`)).length;
        return nodeView(e.name, n, running);
      }),
    );
    return { engines: engineStates(ready, unreachable), nodes: nodes.sort((a, b) => a.hostname.localeCompare(b.hostname) || a.engine.localeCompare(b.engine)) };
  }

  /**
   * Scale, force a rolling restart (ForceUpdate) or roll back to the previous spec. Answers
   * once the engine accepted the new spec; the tasks follow (watch the service or /swarm/events).
   */
  async act(ref: string, action: ServiceAction, viewer: Viewer, options: { engine?: string; version?: number; replicas?: number }): Promise<ServiceActionResult> {
    const found = await this.engines.findService(ref, options.engine, viewer);
    const change: ServiceChange =
      action === 'scale' ? { kind: 'scale', replicas: options.replicas ?? 0 } : action === 'restart' ? { kind: 'force-update' } : { kind: 'rollback' };
    // Without a version from the caller: the one read with the spec the change is made to.
    const version = await found.engine.client.updateService(found.record.id, options.version, change);
    found.engine.store.poke();
    return {
      engine: found.engine.name,
      id: found.record.id,
      name: found.record.name,
      action,
      version,
      replicas: action === 'scale' ? (options.replicas ?? 0) : null,
    };
  }

  /** Drain (tasks move off the node) or activate a node: admins only (the route says so). */
  async setAvailability(ref: string, availability: 'active' | 'drain', viewer: Viewer, options: { engine?: string; version?: number }): Promise<NodeActionResult> {
    const { engine, record } = await this.engines.findNode(ref, options.engine, viewer);
    if (!engine.store.state.manager) throw appError('SWARM_NOT_MANAGER');
    const version = await engine.client.setNodeAvailability(record.id, options.version, availability);
    engine.store.poke();
    return { engine: engine.name, id: record.id, hostname: record.hostname, availability, version };
  }
}
