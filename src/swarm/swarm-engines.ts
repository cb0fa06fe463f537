import type { SwarmEngine, SwarmServiceRecord } from '../docker/swarm-engine.js';
import { appError } from '../errors.js';
import { canSee, canSeeEngine, type Viewer } from '../access/principal.js';
import type { SwarmStore } from './swarm-store.js';
import type { ServiceGroupsOf } from './swarm-views.js';

/** One engine as the swarm feature gets it: its name and its swarm port. */
export interface SwarmEngineEntry {
  name: string;
  client: SwarmEngine;
}

/** An engine of the feature: its port and its live store. */
export interface EngineSwarm {
  name: string;
  client: SwarmEngine;
  store: SwarmStore;
}

/** A service found for a caller: where it lives and its record as the store holds it. */
export interface FoundService {
  engine: EngineSwarm;
  record: SwarmServiceRecord;
  groups: string[];
}

/** Splits `engine:ref`; a `?engine=` that names another engine than the reference is a bad request. */
export function splitRef(ref: string, engine: string | undefined): { engine: string | undefined; ref: string } {
  const colon = ref.indexOf(':');
  if (colon === -1) return { engine, ref };
  const named = ref.slice(0, colon);
  if (engine !== undefined && engine !== named) throw appError('VALIDATION_ERROR', `The reference names engine ${named} but engine=${engine} was asked`);
  return { engine: named, ref: ref.slice(colon + 1) };
}

/**
 * The engines, and how a caller's reference finds a service or node among them. A service
 * the caller may not see does not exist for it: never matched, never making a prefix or a
 * name ambiguous; nor does an engine outside the caller's engine scope, with all it holds.
 */
export class SwarmEngines {
  constructor(
    readonly all: readonly EngineSwarm[],
    private readonly groupsOf: ServiceGroupsOf,
  ) {}

  /** The engines a call looks at: the one named, else every one the viewer may see. */
  pick(engine: string | undefined, viewer: Viewer): EngineSwarm[] {
    const seen = this.all.filter((e) => canSeeEngine(viewer, e.name));
    if (engine === undefined) return seen;
    const found = seen.find((e) => e.name === engine);
    if (!found) throw appError('NOT_FOUND', `No engine named ${engine}`);
    return [found];
  }

  /**
   * The picked engines whose store has a picture. A named engine that cannot answer is 503;
   * in a list over every engine an unreachable one is reported and skipped.
   */
  async ready(engine: string | undefined, viewer: Viewer): Promise<{ ready: EngineSwarm[]; unreachable: EngineSwarm[] }> {
    const picked = this.pick(engine, viewer);
    const settled = await Promise.all(picked.map((e) => e.store.ready().then(() => true, () => false)));
    const ready = picked.filter((_, i) => settled[i]);
    const unreachable = picked.filter((_, i) => !settled[i]);
    if (engine !== undefined && unreachable.length > 0) throw appError('DOCKER_UNAVAILABLE');
    if (ready.length === 0 && unreachable.length > 0) throw appError('DOCKER_UNAVAILABLE');
    return { ready, unreachable };
  }

  groupsOfService(engine: string, s: SwarmServiceRecord): string[] {
    return this.groupsOf({ engine, id: s.id, name: s.name, stack: s.stack, labels: s.labels });
  }

  /** Every service of `engines` the viewer may see, with its groups. */
  visibleServices(engines: readonly EngineSwarm[], viewer: Viewer): FoundService[] {
    const out: FoundService[] = [];
    for (const engine of engines) {
      for (const record of engine.store.services()) {
        const groups = this.groupsOfService(engine.name, record);
        if (canSee(viewer, { groups, engine: engine.name })) out.push({ engine, record, groups });
      }
    }
    return out;
  }

  /** A visible service by full id, name, or unique id prefix (in that order); else 404 or 409. */
  async findService(rawRef: string, rawEngine: string | undefined, viewer: Viewer): Promise<FoundService> {
    const { engine, ref } = splitRef(rawRef, rawEngine);
    const { ready } = await this.ready(engine, viewer);
    const visible = this.visibleServices(ready, viewer);
    const exact = visible.filter((s) => s.record.id === ref);
    const named = exact.length > 0 ? exact : visible.filter((s) => s.record.name === ref);
    const found = named.length > 0 ? named : visible.filter((s) => s.record.id.startsWith(ref));
    if (found.length === 0) throw appError('SWARM_SERVICE_NOT_FOUND', `No swarm service ${rawRef}`);
    if (found.length > 1) throw appError('SWARM_AMBIGUOUS', `${rawRef} matches ${found.length} services`);
    return found[0] as FoundService;
  }

  /** A node of an engine the viewer may see, by full id, hostname or unique id prefix. */
  async findNode(rawRef: string, rawEngine: string | undefined, viewer: Viewer) {
    const { engine, ref } = splitRef(rawRef, rawEngine);
    const { ready } = await this.ready(engine, viewer);
    const nodes = ready.flatMap((e) => e.store.nodes().map((record) => ({ engine: e, record })));
    const exact = nodes.filter((n) => n.record.id === ref);
    const named = exact.length > 0 ? exact : nodes.filter((n) => n.record.hostname === ref);
    const found = named.length > 0 ? named : nodes.filter((n) => n.record.id.startsWith(ref));
    if (found.length === 0) throw appError('SWARM_NODE_NOT_FOUND', `No swarm node ${rawRef}`);
    if (found.length > 1) throw appError('SWARM_AMBIGUOUS', `${rawRef} matches ${found.length} nodes`);
    return found[0] as (typeof found)[number];
  }
}

