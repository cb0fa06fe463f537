import { appError } from '../errors.js';
import type { GroupCatalog } from './catalog.js';
import type { GroupDefinition } from './definition.js';
import type { GroupStatus, GroupSummary } from './schemas.js';
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

function counts(members: readonly ContainerSummary[]): GroupSummary['members'] {
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

function runningIds(members: readonly ContainerSummary[]): string[] {
  return [...new Set(members.filter((m) => m.state === 'running').map((m) => m.id))];
}

/** A group's status, counts and the summed usage of its running members; `dependsOn` only as far as the viewer sees. */
function summaryOf(g: GroupDefinition, members: readonly ContainerSummary[], usage: ReadonlyMap<string, ContainerUsage>, viewer: Viewer): GroupSummary {
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
    status: groupStatus(members),
    members: counts(members),
    usage: { cpuPercent: Math.round(cpuPercent * 100) / 100, memoryUsage },
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
  ) {}

  /** Every group's status as the service sees it (for the metrics gauges), from the store as it is now. */
  statuses(): { group: string; status: GroupStatus }[] {
    const all = this.store.summaries();
    return this.catalog.groups.map((g) => ({ group: g.name, status: groupStatus(this.catalog.membersOf(g, all).map((m) => m.container)) }));
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
    const perGroup = this.catalog.groups
      .filter((g) => canSeeGroup(viewer, g.name))
      .map((g) => ({ g, members: this.catalog.membersOf(g, all).map((m) => m.container) }));
    const usage = await this.stats.usage(runningIds(perGroup.flatMap((p) => p.members)));
    return perGroup.map(({ g, members }) => summaryOf(g, members, usage, viewer));
  }

  /** One group: members in start steps with state, health, uptime and usage; its dependencies. */
  async details(name: string, viewer: Viewer) {
    const group = this.definition(name, viewer);
    await this.store.ready();
    const all = onVisibleEngines(this.store.summaries(), viewer);
    const members = this.catalog.membersOf(group, all);
    const steps = this.catalog.steps(members);
    const usage = await this.stats.usage(runningIds(members.map((m) => m.container)));
    const summary = summaryOf(group, members.map((m) => m.container), usage, viewer);
    const now = Date.now();
    const memberList = steps.flatMap((containers, step) =>
      containers.map((c) => {
        const record = this.store.record(c.id, c.engine);
        const u = c.state === 'running' ? usage.get(c.id) : undefined;
        const startedAt = record?.running && record.startedAt ? Date.parse(record.startedAt) : NaN;
        return {
          id: c.id,
          name: c.name,
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
      const status = definition ? groupStatus(this.catalog.membersOf(definition, all).map((m) => m.container)) : 'empty';
      return { name: dep, status, up: status === 'running' || status === 'empty' };
    });
    return { ...summary, dependencies, memberList };
  }
}
