import type { ContainerSummary } from '../containers/container-view.js';
import type { AlertSubject } from './alert-store.js';
import type { AlertRule } from './rules-load.js';

/** The engine a container is on: its `engine` field once there are many, else 'local'. */
export function engineOf(c: object): string {
  const engine = (c as { engine?: unknown }).engine;
  return typeof engine === 'string' ? engine : 'local';
}

/** Whether a container falls in a rule's scope (groups, name patterns, engines; each empty: any). */
export function inScope(rule: AlertRule, c: { name: string; groups: readonly string[] }, engine = engineOf(c)): boolean {
  if (rule.groups.length > 0 && !c.groups.some((g) => rule.groups.includes(g))) return false;
  if (rule.containers.length > 0 && !rule.containers.some((re) => re.test(c.name))) return false;
  return rule.engines.length === 0 || rule.engines.includes(engine);
}

/** A container as an alert's subject: keyed by engine and id, so a rename is the same container. */
export function containerSubject(c: Pick<ContainerSummary, 'id' | 'name' | 'groups' | 'group'>): AlertSubject {
  const engine = engineOf(c);
  return { key: `${engine}:${c.id}`, engine, container: { id: c.id, name: c.name }, group: c.group ?? c.groups[0] ?? null, groups: [...c.groups] };
}
