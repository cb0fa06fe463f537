import type { ContainerRecord } from '../docker/container-record.js';
import { statusText, statusValidUntil, summaryFromRecord, type ContainerSummary, type GroupsOf } from './container-view.js';

/** One container as the store keeps it: its record and the views derived from it, made once. */
interface Entry {
  record: ContainerRecord;
  /** Group membership depends on name and labels only: computed once per record. */
  groups: string[];
  /** The list view, frozen: every reader shares it. Replaced (never changed) on a change. */
  summary: ContainerSummary;
  /** When the summary's status text ("Up 5 minutes") moves on. */
  statusUntil: number;
}

/** Id, name and groups of one container: what resolving a reference needs, without its views. */
export interface StoredIdentity {
  id: string;
  name: string;
  groups: readonly string[];
}

const identityOf = (e: Entry): StoredIdentity => ({ id: e.record.id, name: e.record.name, groups: e.groups });

/**
 * The store's picture: one record per container, by full id, with its list view ready.
 * Only the store's events loop writes it (set/delete); everything else reads through the
 * store's read methods. Views are derived when a change is applied, not when read: a read
 * only re-derives the status text of a container whose text moved on with the clock.
 *
 * `generation` counts every applied change and every status text that moved on: anything
 * derived from the snapshot (a cached list, its bytes, its ETag) holds exactly as long as
 * the generation it was made at.
 */
export class ContainerSnapshot {
  private readonly entries = new Map<string, Entry>();
  /** Full ids by name: a reference by name resolves without a scan (a set: a name may briefly be on two records). */
  private readonly byName = new Map<string, Set<string>>();
  private gen = 0;
  /** The earliest statusUntil of all entries: before it, reads skip the clock check. */
  private nextStatusChange = Number.POSITIVE_INFINITY;
  /** Every summary, in map order; rebuilt lazily once per generation. */
  private list: readonly ContainerSummary[] | undefined;

  constructor(readonly groupsOf: GroupsOf) {}

  get size(): number {
    return this.entries.size;
  }

  /** The generation as of `now` (status texts that moved on by then count as changes). */
  generation(now = Date.now()): number {
    this.tick(now);
    return this.gen;
  }

  get(id: string): ContainerRecord | undefined {
    return this.entries.get(id)?.record;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Stores a record and derives its views; returns the record it replaced. */
  set(record: ContainerRecord, now = Date.now()): ContainerRecord | undefined {
    const before = this.entries.get(record.id);
    const summary = Object.freeze(summaryFromRecord(record, now, this.groupsOf));
    const groups = summary.groups;
    const statusUntil = statusValidUntil(record, now);
    this.entries.set(record.id, { record, groups, summary, statusUntil });
    if (before?.record.name !== record.name) {
      if (before) this.unname(before.record);
      const ids = this.byName.get(record.name);
      if (ids) ids.add(record.id);
      else this.byName.set(record.name, new Set([record.id]));
    }
    this.nextStatusChange = Math.min(this.nextStatusChange, statusUntil);
    this.changed();
    return before?.record;
  }

  /** Forgets a container; returns its last record. */
  delete(id: string): ContainerRecord | undefined {
    const before = this.entries.get(id);
    if (!before) return undefined;
    this.entries.delete(id);
    this.unname(before.record);
    this.changed();
    return before.record;
  }

  private unname(record: ContainerRecord): void {
    const ids = this.byName.get(record.name);
    ids?.delete(record.id);
    if (ids?.size === 0) this.byName.delete(record.name);
  }

  /** Every container, as the list shows it (status text as of `now`). Shared: do not change. */
  summaries(now = Date.now()): readonly ContainerSummary[] {
    this.tick(now);
    this.list ??= Array.from(this.entries.values(), (e) => e.summary);
    return this.list;
  }

  /** Id, name and groups of every container, for resolving a reference without building views. */
  *identities(): Generator<StoredIdentity> {
    for (const e of this.entries.values()) yield identityOf(e);
  }

  /**
   * The identities a reference names exactly: the container with that full id and those
   * with that name (no prefix matches), found through the indexes. Empty means only an id
   * prefix can still match (a scan of identities()).
   */
  exact(ref: string): StoredIdentity[] {
    const byId = this.entries.get(ref);
    const found = byId ? [identityOf(byId)] : [];
    for (const id of this.byName.get(ref) ?? []) {
      const e = this.entries.get(id);
      if (e && e !== byId) found.push(identityOf(e));
    }
    return found;
  }

  summary(id: string, now = Date.now()): ContainerSummary | undefined {
    this.tick(now);
    return this.entries.get(id)?.summary;
  }

  private changed(): void {
    this.gen++;
    this.list = undefined;
  }

  /** Re-derives the status text of the containers whose text moved on by `now`. */
  private tick(now: number): void {
    if (now < this.nextStatusChange) return;
    let next = Number.POSITIVE_INFINITY;
    for (const e of this.entries.values()) {
      if (now >= e.statusUntil) {
        const status = statusText(e.record, now);
        if (status !== e.summary.status) {
          e.summary = Object.freeze({ ...e.summary, status });
          this.changed();
        }
        e.statusUntil = statusValidUntil(e.record, now);
      }
      next = Math.min(next, e.statusUntil);
    }
    this.nextStatusChange = next;
  }
}
