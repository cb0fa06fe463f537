import { appError } from '../errors.js';
import type { GroupCatalog } from './catalog.js';
import type { GroupDefinition } from './definition.js';
import type { GroupStatus, GroupSummary } from './schemas.js';
import { serviceAsMember, swarmMemberView, type ServiceMembers, type ServiceMemberView } from './service-members.js';
import type { ContainerReader, ContainersFeature } from '../containers/feature.js';
import type { ContainerSummary } from '../containers/container-view.js';
import { canSeeEngine, canSeeGroup, type Viewer } from '../access/principal.js';
import type { ContainerUsage } from '../containers/schemas.js';
import type { UpdateMarkReader } from '../containers/update-marks.js';

/** Aggregates the members' states into one word (see GroupStatusSchema). */
export function groupStatus(members: readonly Pick<ContainerSummary, 'state' | 'health'>[]): GroupStatus {
  if (members.length === 0) return 'empty';
  const running = members.filter((m) => m.state === 'running');
  if (running.some((m) => m.health === 'unhealthy')) return 'unhealthy';
  if (running.length === members.length) return 'running';
  return running.length === 0 ? 'stopped' : 'partial';
}

function counts(members: readonly Pick<ContainerSummary, 'state' | 'health'>[]): GroupSummary['members'] {
  const running = members.filter((m) => m.state === 'running');
  return {
    total: members.length,
    running: running.length,
    healthy: running.filter((m) => m.health === 'healthy').length,
    unhealthy: running.filter((m) => m.health === 'unhealthy').length,
    starting: running.filter((m) => m.health === 'starting').length,
    stopped: members.length - running.length,
  };
}

/** Containers and swarm services together, as a status and the counts see them. */
function statusMembers(containers: readonly ContainerSummary[], services: readonly ServiceMemberView[]): Pick<ContainerSummary, 'state' | 'health'>[] {
  return [...containers, ...services.map(serviceAsMember)];
}

function runningIds(members: readonly ContainerSummary[]): string[] {
  return [...new Set(members.filter((m) => m.state === 'running').map((m) => m.id))];
}

/** A group's status, counts and the summed usage of its running members; `dependsOn` only as far as the viewer sees. */
function summaryOf(
  g: GroupDefinition,
  members: readonly ContainerSummary[],
  services: readonly ServiceMemberView[],
  usage: ReadonlyMap<string, ContainerUsage>,
  viewer: Viewer,
): GroupSummary {
  let cpuPercent = 0;
  let memoryUsage = 0;
  for (const m of members) {
    const u = m.state === 'running' ? usage.get(m.id) : undefined;
    if (!u) continue;
    cpuPercent += u.cpuPercent ?? 0;
    memoryUsage += u.memory.usage;
  }
  return {
    name: g.name,
    description: g.description,
    dependsOn: visibleGroups(g.dependsOn, viewer),
    status: groupStatus(statusMembers(members, services)),
    members: counts(statusMembers(members, services)),
    engines: [...new Set([...members.map((m) => m.engine), ...services.map((s) => s.engine)])].sort(),
    usage: { cpuPercent: Math.round(cpuPercent * 100) / 100, memoryUsage },
    swarmServices: services.map((s) => swarmMemberView(s)),
  };
}

/** A group the viewer may not see does not exist for them: not even its name shows. */
function visibleGroups(names: readonly string[], viewer: Viewer): string[] {
  return names.filter((n) => canSeeGroup(viewer, n));
}

/** The containers on engines the viewer may see: members elsewhere do not exist for it (nor count in a status). */
function onVisibleEngines(all: readonly ContainerSummary[], viewer: Viewer): readonly ContainerSummary[] {
  return viewer.engines.includes('*') ? all : all.filter((c) => canSeeEngine(viewer, c.engine));
}

/** Read views of the service groups: status, members, usage. */
export class GroupService {
  constructor(
    readonly catalog: GroupCatalog,
    private readonly store: ContainerReader,
    private readonly stats: Pick<ContainersFeature['stats'], 'usage'>,
    private readonly marks?: UpdateMarkReader,
    /** Swarm services, for the groups whose `swarm` members name them (absent: none). */
    private readonly services?: Pick<ServiceMembers, 'current'>,
  ) {}

  /** The swarm services of the engines the viewer may see, as the swarm stores hold them now. */
  private swarm(viewer: Viewer): ServiceMemberView[] {
    const all = this.services?.current() ?? [];
    return viewer.engines.includes('*') ? all : all.filter((s) => canSeeEngine(viewer, s.engine));
  }

  private serviceMembers(g: GroupDefinition, services: readonly ServiceMemberView[]) {
    return this.catalog.serviceMembersOf(g, services);
  }

  private statusOf(g: GroupDefinition, containers: readonly ContainerSummary[], services: readonly ServiceMemberView[]): GroupStatus {
    const members = this.catalog.membersOf(g, containers).map((m) => m.container);
    return groupStatus(statusMembers(members, this.serviceMembers(g, services).map((m) => m.container)));
  }

  /** Every group's status as the service sees it (for the metrics gauges), from the store as it is now. */
  statuses(): { group: string; status: GroupStatus }[] {
    const all = this.store.summaries();
    const services = this.services?.current() ?? [];
    return this.catalog.groups.map((g) => ({ group: g.name, status: this.statusOf(g, all, services) }));
  }

  /** A group the viewer may see; any other is "not found". */
  definition(name: string, viewer: Viewer): GroupDefinition {
    const group = this.catalog.get(name);
    if (!group || (viewer && !canSeeGroup(viewer, name))) throw appError('GROUP_NOT_FOUND', `No service group named ${name}`);
    return group;
  }

  /** Every group with a status summary and its members' summed CPU and memory. */
  async list(viewer: Viewer): Promise<GroupSummary[]> {
    await this.store.ready();
    const all = onVisibleEngines(this.store.summaries(), viewer);
    const swarm = this.swarm(viewer);
    const perGroup = this.catalog.groups
      .filter((g) => canSeeGroup(viewer, g.name))
      .map((g) => ({ g, members: this.catalog.membersOf(g, all).map((m) => m.container), services: this.serviceMembers(g, swarm).map((m) => m.container) }));
    const usage = await this.stats.usage(runningIds(perGroup.flatMap((p) => p.members)));
    return perGroup.map(({ g, members, services }) => summaryOf(g, members, services, usage, viewer));
  }

  /** One group: members in start steps with state, health, uptime and usage; its dependencies. */
  async details(name: string, viewer: Viewer) {
    const group = this.definition(name, viewer);
    await this.store.ready();
    const all = onVisibleEngines(this.store.summaries(), viewer);
    const swarm = this.swarm(viewer);
    const members = this.catalog.membersOf(group, all);
    const services = this.serviceMembers(group, swarm);
    // Steps as the runner takes them: swarm members and containers together.
    const steps = this.catalog.steps<ContainerSummary | ServiceMemberView>([...members, ...services]);
    const isService = new Set<object>(services.map((m) => m.container));
    const stepOf = (c: object) => steps.findIndex((s) => s.includes(c as ContainerSummary));
    const usage = await this.stats.usage(runningIds(members.map((m) => m.container)));
    const summary = summaryOf(group, members.map((m) => m.container), services.map((m) => m.container), usage, viewer);
    summary.swarmServices = services.map((m) => swarmMemberView(m.container, stepOf(m.container)));
    const now = Date.now();
    const memberList = steps.flatMap((items, step) =>
      (items.filter((c) => !isService.has(c)) as ContainerSummary[]).map((c) => {
        const record = this.store.record(c.id, c.engine);
        const u = c.state === 'running' ? usage.get(c.id) : undefined;
        const startedAt = record?.running && record.startedAt ? Date.parse(record.startedAt) : NaN;
        return {
          id: c.id,
          name: c.name,
          engine: c.engine,
          step,
          state: c.state,
          health: c.health,
          uptimeSeconds: Number.isNaN(startedAt) ? null : Math.max(0, Math.round((now - startedAt) / 1000)),
          cpuPercent: u?.cpuPercent ?? null,
          memoryUsage: u?.memory.usage ?? null,
          ...(this.marks?.get(c.engine, c.id) ? { update: this.marks.get(c.engine, c.id) } : {}),
        };
      }),
    );
    const dependencies = visibleGroups(this.catalog.dependenciesOf(name), viewer).map((dep) => {
      const definition = this.catalog.get(dep);
      const status = definition ? this.statusOf(definition, all, swarm) : 'empty';
      return { name: dep, status, up: status === 'running' || status === 'empty' };
    });
    return { ...summary, dependencies, memberList };
  }
}
