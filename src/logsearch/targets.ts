import type { ContainerSummary } from '../containers/container-view.js';
import type { SearchTarget } from './search-run.js';
import { nanosFromIso, type Nanos } from './time-range.js';

export interface TargetFilter {
  group?: string;
  project?: string;
  /** A glob over the container's name: `*` any characters, `?` one. */
  name?: string;
}

/** A glob as an anchored regular expression (the schema allows only name characters, * and ?). */
export function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** A container created at T has no line before T; a second of slack covers the engine's own clock steps. */
const CREATED_SLACK: Nanos = 1_000_000_000n;

/**
 * The containers a search reads: among those the caller may see (`visible` is already
 * filtered by the viewer's groups), the ones every given filter selects. No filter: all of
 * them. Sorted by name, so that a search reads (and oldest-first emits) in a stable order.
 */
export function selectTargets(visible: readonly ContainerSummary[], filter: TargetFilter): SearchTarget[] {
  const name = filter.name ? globRegExp(filter.name) : undefined;
  return visible
    .filter(
      (c) =>
        (filter.group === undefined || c.groups.includes(filter.group)) &&
        (filter.project === undefined || c.composeProject === filter.project) &&
        (name === undefined || name.test(c.name)),
    )
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => {
      const created = nanosFromIso(c.created);
      return {
        id: c.id,
        name: c.name,
        engine: c.engine,
        floor: created === undefined ? 0n : created - CREATED_SLACK,
      };
    });
}
