import type { ContainerRecord } from '../docker/container-record.js';
import { summaryFromRecord, type ContainerSummary, type GroupsOf } from './container-view.js';

/**
 * The store's picture: one record per container, by full id. Only the store's events loop
 * writes it (set/delete); everything else reads through the store's read methods.
 */
export class ContainerSnapshot {
  private readonly records = new Map<string, ContainerRecord>();
  /** Group membership depends on name and labels only: computed once per record. */
  private readonly groupCache = new WeakMap<ContainerRecord, string[]>();

  constructor(readonly groupsOf: GroupsOf) {}

  get size(): number {
    return this.records.size;
  }

  get(id: string): ContainerRecord | undefined {
    return this.records.get(id);
  }

  ids(): string[] {
    return [...this.records.keys()];
  }

  /** Stores a record; returns the one it replaced. */
  set(record: ContainerRecord): ContainerRecord | undefined {
    const before = this.records.get(record.id);
    this.records.set(record.id, record);
    return before;
  }

  /** Forgets a container; returns its last record. */
  delete(id: string): ContainerRecord | undefined {
    const before = this.records.get(id);
    this.records.delete(id);
    return before;
  }

  /** Every container, as the list shows it (status text computed now). */
  summaries(now: number): ContainerSummary[] {
    return [...this.records.values()].map((r) => summaryFromRecord(r, now, () => this.groupsFor(r)));
  }

  /** Id, name and groups of every container, for resolving a reference without building views. */
  *identities(): Generator<{ id: string; name: string; groups: readonly string[] }> {
    for (const r of this.records.values()) yield { id: r.id, name: r.name, groups: this.groupsFor(r) };
  }

  summary(id: string, now: number): ContainerSummary | undefined {
    const r = this.records.get(id);
    return r ? summaryFromRecord(r, now, () => this.groupsFor(r)) : undefined;
  }

  private groupsFor(r: ContainerRecord): string[] {
    let groups = this.groupCache.get(r);
    if (!groups) {
      groups = summaryFromRecord(r, 0, this.groupsOf).groups;
      this.groupCache.set(r, groups);
    }
    return groups;
  }
}
