import { appError } from '../errors.js';

export interface Identified {
  id: string;
  name: string;
}

/**
 * Finds the one container a caller means, with the engine's precedence: a full id, then an
 * exact name, then a unique id prefix. Several matches for a prefix is a conflict, not a
 * guess: acting on the wrong container is worse than asking for more characters.
 */
export function resolveContainer<T extends Identified>(ref: string, containers: Iterable<T>): T {
  const wanted = ref.startsWith('/') ? ref.slice(1) : ref;
  const isHex = /^[0-9a-f]+$/.test(wanted);
  const prefixMatches: T[] = [];
  let byName: T | undefined;
  for (const c of containers) {
    if (c.id === wanted) return c;
    if (c.name === wanted) byName = c;
    else if (isHex && c.id.startsWith(wanted)) prefixMatches.push(c);
  }
  if (byName) return byName;
  if (prefixMatches.length === 1) return prefixMatches[0] as T;
  if (prefixMatches.length > 1) {
    throw appError('AMBIGUOUS_CONTAINER_ID', `The id prefix "${wanted}" matches ${prefixMatches.length} containers; give more characters or the name`);
  }
  throw notFound(wanted);
}

/** The one "not found" answer, the same for a missing container and a hidden one. */
export function notFound(ref: string) {
  return appError('CONTAINER_NOT_FOUND', `No such container: ${ref.startsWith('/') ? ref.slice(1) : ref}`);
}
