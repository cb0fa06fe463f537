import { readFileSync } from 'node:fs';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { GroupsFileSchema, type GroupDefinition, type GroupsFile, type Member, type MemberRule } from './definition.js';

const GROUP_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** A groups file that cannot be used; the message says where and why. */
export class GroupsFileError extends Error {
  constructor(file: string, reason: string) {
    super(`Invalid service groups file ${file}: ${reason}`);
    this.name = 'GroupsFileError';
  }
}

/** Reads, parses and validates a groups file. Throws GroupsFileError with the reason. */
export function loadGroupsFile(path: string): GroupDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GroupsFileError(path, `cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new GroupsFileError(path, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseGroups(data, path);
}

/** Validates parsed YAML into group definitions: schema, selectors, references, cycles. */
export function parseGroups(data: unknown, file = 'groups'): GroupDefinition[] {
  if (!Value.Check(GroupsFileSchema, data)) {
    const e = [...Value.Errors(GroupsFileSchema, data)][0];
    throw new GroupsFileError(file, `${e?.instancePath || '/'} ${e?.message ?? 'does not match the expected shape'}`);
  }
  const doc = data as GroupsFile;
  for (const name of Object.keys(doc.groups)) {
    if (!GROUP_NAME.test(name)) throw new GroupsFileError(file, `group name ${JSON.stringify(name)} must match ${GROUP_NAME.source}`);
  }
  const groups = Object.entries(doc.groups).map(([name, g]) => ({
    name,
    description: g.description ?? '',
    dependsOn: [...new Set(g.dependsOn ?? [])],
    members: (g.members ?? []).map((m, i) => memberRule(m, `${name}.members[${i}]`, file)),
  }));
  const names = new Set(groups.map((g) => g.name));
  for (const g of groups) {
    for (const dep of g.dependsOn) {
      if (!names.has(dep)) throw new GroupsFileError(file, `group ${g.name} depends on unknown group ${dep}`);
      if (dep === g.name) throw new GroupsFileError(file, `group ${g.name} depends on itself`);
    }
    const ids = new Set<string>();
    for (const m of g.members) {
      if (ids.has(m.id)) throw new GroupsFileError(file, `group ${g.name} has two members with id ${m.id}; give one an explicit id`);
      ids.add(m.id);
    }
    for (const m of g.members) {
      for (const dep of m.dependsOn) {
        if (!ids.has(dep)) throw new GroupsFileError(file, `member ${m.id} of group ${g.name} depends on unknown member ${dep}`);
      }
    }
    const orderOf = new Map(g.members.map((m) => [m.id, m.order]));
    for (const m of g.members) {
      for (const dep of m.dependsOn) {
        if ((orderOf.get(dep) ?? 0) > m.order) {
          throw new GroupsFileError(file, `member ${m.id} of group ${g.name} depends on ${dep}, which has a later order`);
        }
      }
    }
    const memberCycle = findCycle(new Map(g.members.map((m) => [m.id, m.dependsOn])));
    if (memberCycle) throw new GroupsFileError(file, `dependency cycle among members of group ${g.name}: ${memberCycle.join(' → ')}`);
  }
  const groupCycle = findCycle(new Map(groups.map((g) => [g.name, g.dependsOn])));
  if (groupCycle) throw new GroupsFileError(file, `dependency cycle between groups: ${groupCycle.join(' → ')}`);
  return groups;
}

function memberRule(m: Member, where: string, file: string): MemberRule {
  const selectors = (['name', 'pattern', 'label', 'compose', 'swarm'] as const).filter((k) => m[k] !== undefined);
  if (selectors.length !== 1) {
    throw new GroupsFileError(file, `${where} must have exactly one of name, pattern, label, compose, swarm (has ${selectors.length ? selectors.join(', ') : 'none'})`);
  }
  const kind = selectors[0] as MemberRule['kind'];
  const base = { kind, order: m.order ?? 0, dependsOn: [...new Set(m.dependsOn ?? [])], ...(m.engine !== undefined ? { engine: m.engine } : {}) };
  switch (kind) {
    case 'name':
      return { ...base, id: m.id ?? (m.name as string), name: m.name };
    case 'pattern':
      return { ...base, id: m.id ?? (m.pattern as string), pattern: globToRegExp(m.pattern as string) };
    case 'label': {
      const [key, ...rest] = (m.label as string).split('=');
      return { ...base, id: m.id ?? (m.label as string), labelKey: key, labelValue: rest.length ? rest.join('=') : undefined };
    }
    case 'compose': {
      const c = m.compose as { project: string; service?: string };
      return { ...base, id: m.id ?? (c.service ? `${c.project}/${c.service}` : c.project), composeProject: c.project, composeService: c.service };
    }
    case 'swarm': {
      const w = m.swarm as NonNullable<Member['swarm']>;
      if ((w.service === undefined) === (w.stack === undefined)) throw new GroupsFileError(file, `${where}.swarm must name exactly one of service, stack`);
      return { ...base, id: m.id ?? (w.service ?? `stack.${w.stack}`), swarm: w };
    }
  }
}

/** A name glob (* any run, ? one character) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Returns one dependency cycle (as a path that closes on itself), or undefined. */
export function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
