import type { Principal } from '../access/principal.js';
import { readyBody, type ReadyBody } from '../http/etag.js';
import { LruCache } from '../lib/lru.js';
import type { ContainerSummary } from './container-view.js';
import type { ListFilters } from './schemas.js';

/** Lists kept ready at once (scope × filters): a bound on memory, not a correctness limit. */
export const LIST_CACHE_ENTRIES = 64;
/** Details variants kept per container view (admin with env values, each group scope without). */
const DETAIL_VARIANTS = 8;

/**
 * What decides what a viewer sees: role, whether ungrouped containers show, and the
 * groups. Not the subject: two callers with the same scope see the same bytes, two with
 * different groups never share them.
 */
export function scopeKey(viewer: Pick<Principal, 'role' | 'seesUngrouped' | 'groups' | 'engines'>): string {
  return `${viewer.role}|${viewer.seesUngrouped ? 1 : 0}|${[...viewer.groups].sort().join(',')}|${[...viewer.engines].sort().join(',')}`;
}

/** The filters in one spelling: order and repeats of the multi-valued ones do not matter. */
export function filterKey(filters: ListFilters): string {
  const set = (values: readonly string[] | undefined) => (values?.length ? [...new Set(values)].sort() : []);
  return JSON.stringify([filters.all !== false, set(filters.status), filters.name?.toLowerCase() ?? '', filters.group ?? '', set(filters.label), filters.engine ?? '']);
}

/**
 * Serialised views of the store, made once per store generation and served as ready bytes
 * with their ETag. Lists: by scope and filters, valid while the store's generation is the
 * one they were made at (LRU-bounded). Details: per container view (the frozen summary the
 * store replaces on every change to that container), by variant (env values shown or not,
 * the groups the viewer may see), so they go when the store lets go of that view.
 */
/** A list as made for one key: its bytes, and what they were made of (for the next build of that key). */
export interface BuiltList<I, F> {
  ready: ReadyBody;
  items: readonly I[];
  fragments: readonly F[];
}

export class ContainerViewCache<I = unknown, F = unknown> {
  private readonly lists = new LruCache<string, { generation: number; built: BuiltList<I, F> }>(LIST_CACHE_ENTRIES);
  private readonly details = new WeakMap<ContainerSummary, Map<string, ReadyBody>>();

  /** The list for `key` as of `generation`; `build` gets what the key's previous build was made of, if any. */
  list(key: string, generation: number, build: (before: BuiltList<I, F> | undefined) => BuiltList<I, F>): ReadyBody {
    const hit = this.lists.get(key);
    if (hit && hit.generation === generation) return hit.built.ready;
    const built = build(hit?.built);
    this.lists.set(key, { generation, built });
    return built.ready;
  }

  detailsOf(view: ContainerSummary, variant: string, build: () => string): ReadyBody {
    let variants = this.details.get(view);
    const hit = variants?.get(variant);
    if (hit) return hit;
    if (!variants) this.details.set(view, (variants = new Map()));
    if (variants.size >= DETAIL_VARIANTS) variants.delete(variants.keys().next().value as string);
    const ready = readyBody(build());
    variants.set(variant, ready);
    return ready;
  }
}
