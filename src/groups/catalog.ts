import type { GroupDefinition, MemberRule } from './definition.js';

/** What the catalog needs to know of a container. */
export interface Classifiable {
  id: string;
  name: string;
  labels: Record<string, string>;
  composeProject: string | null;
  composeService: string | null;
  /** The engine it runs on. */
  engine?: string;
}

/** A swarm service as the catalog classifies it (see swarm members in definition.ts). */
export interface ClassifiableService {
  engine: string;
  id: string;
  name: string;
  stack: string | null;
  labels: Record<string, string>;
}

export interface GroupMember<C> {
  container: C;
  /** The member rule that matched, or undefined when only the group label did. */
  rule?: MemberRule;
}

function matches(rule: MemberRule, c: Classifiable): boolean {
  if (rule.engine !== undefined && c.engine !== rule.engine) return false;
  switch (rule.kind) {
    case 'name':
      return c.name === rule.name;
    case 'pattern':
      return rule.pattern?.test(c.name) ?? false;
    case 'label':
      return rule.labelKey !== undefined && Object.hasOwn(c.labels, rule.labelKey) && (rule.labelValue === undefined || c.labels[rule.labelKey] === rule.labelValue);
    case 'compose':
      return c.composeProject === rule.composeProject && (rule.composeService === undefined || c.composeService === rule.composeService);
    case 'swarm':
      return false; // names a swarm service, never a container (see matchesService)
  }
}

function matchesService(rule: MemberRule, s: ClassifiableService): boolean {
  const w = rule.swarm;
  if (rule.kind !== 'swarm' || !w || (w.engine !== undefined && w.engine !== s.engine)) return false;
  return w.service !== undefined ? s.name === w.service : s.stack === w.stack;
}

/**
 * The configured groups and how containers fall into them. A container belongs to every
 * group whose label (any of GROUP_LABEL's keys = group name) or member rule matches it.
 */
export class GroupCatalog {
  private readonly byName: Map<string, GroupDefinition>;

  constructor(
    readonly groups: readonly GroupDefinition[],
    private readonly labelKeys: readonly string[],
  ) {
    this.byName = new Map(groups.map((g) => [g.name, g]));
  }

  get(name: string): GroupDefinition | undefined {
    return this.byName.get(name);
  }

  /** The groups a container belongs to, in file order. */
  groupsOf(c: Classifiable): string[] {
    return this.groups.filter((g) => this.ruleFor(g, c) !== null).map((g) => g.name);
  }

  /** The groups a swarm service belongs to: a swarm member naming it or its stack, or the group label on the service. */
  serviceGroupsOf(s: ClassifiableService): string[] {
    return this.groups.filter((g) => this.serviceRuleFor(g, s) !== null).map((g) => g.name);
  }

  /**
   * The swarm services a group starts and stops: those its swarm members name. A service
   * that only carries the group label belongs to the group (for access) but is not scaled.
   */
  serviceMembersOf<S extends ClassifiableService>(group: GroupDefinition, services: readonly S[]): GroupMember<S>[] {
    const out: GroupMember<S>[] = [];
    for (const service of services) {
      const rule = this.serviceRuleFor(group, service);
      if (rule) out.push({ container: service, rule });
    }
    return out;
  }

  /** The containers of a group, each with the rule that put it there. */
  membersOf<C extends Classifiable>(group: GroupDefinition, containers: readonly C[]): GroupMember<C>[] {
    const out: GroupMember<C>[] = [];
    for (const container of containers) {
      const rule = this.ruleFor(group, container);
      if (rule !== null) out.push(rule ? { container, rule } : { container });
    }
    return out;
  }

  /**
   * Start order inside a group as steps of containers that may start together. A member
   * comes after those its rule depends on and after every member of a lower `order`.
   */
  steps<C extends { name: string }>(members: readonly GroupMember<C>[]): C[][] {
    const level = new Map<GroupMember<C>, number>();
    const byRule = new Map<string, GroupMember<C>[]>();
    for (const m of members) if (m.rule) byRule.set(m.rule.id, [...(byRule.get(m.rule.id) ?? []), m]);
    const order = (m: GroupMember<C>) => m.rule?.order ?? 0;
    const levelOf = (m: GroupMember<C>, seen: Set<GroupMember<C>>): number => {
      const known = level.get(m);
      if (known !== undefined) return known;
      // The file was checked for cycles at load; `seen` guards against a bad catalog anyway.
      if (seen.has(m)) return 0;
      seen.add(m);
      let l = 0;
      for (const dep of m.rule?.dependsOn ?? []) for (const d of byRule.get(dep) ?? []) l = Math.max(l, levelOf(d, seen) + 1);
      for (const other of members) if (order(other) < order(m)) l = Math.max(l, levelOf(other, seen) + 1);
      seen.delete(m);
      level.set(m, l);
      return l;
    };
    const steps: C[][] = [];
    for (const m of members) {
      const l = levelOf(m, new Set());
      (steps[l] ??= []).push(m.container);
    }
    return steps.filter((s) => s.length > 0).map((s) => s.sort((a, b) => a.name.localeCompare(b.name)));
  }

  /** Groups `name` depends on, directly or not, in start order (dependencies first). */
  dependenciesOf(name: string): string[] {
    const out: string[] = [];
    const visit = (n: string) => {
      for (const dep of this.byName.get(n)?.dependsOn ?? []) {
        visit(dep);
        if (!out.includes(dep)) out.push(dep);
      }
    };
    visit(name);
    return out;
  }

  /** Groups that depend on `name`, directly or not, in stop order (outermost first). */
  dependantsOf(name: string): string[] {
    return this.groups
      .filter((g) => g.name !== name && this.dependenciesOf(g.name).includes(name))
      .map((g) => g.name)
      .sort((a, b) => this.dependenciesOf(b).length - this.dependenciesOf(a).length);
  }

  private serviceRuleFor(group: GroupDefinition, s: ClassifiableService): MemberRule | undefined | null {
    for (const rule of group.members) if (matchesService(rule, s)) return rule;
    return this.labelKeys.some((k) => s.labels[k] === group.name) ? undefined : null;
  }

  /** The first matching member rule; undefined for a label-only match; null for none. */
  private ruleFor(group: GroupDefinition, c: Classifiable): MemberRule | undefined | null {
    for (const rule of group.members) if (matches(rule, c)) return rule;
    return this.labelKeys.some((k) => c.labels[k] === group.name) ? undefined : null;
  }
}
