import { appError } from '../errors.js';

export interface Identified {
  id: string;
  name: string;
  /** The engine it runs on; absent in single-engine callers' own lists. */
  engine?: string;
}

/** What a reference asks for: a name may come with the engine's leading slash (`/web`). */
export function wantedOf(ref: string): string {
  return ref.startsWith('/') ? ref.slice(1) : ref;
}

/** Candidates named in an AMBIGUOUS answer: enough to choose, never a long list. */
const MAX_CANDIDATES = 20;

/**
 * Finds the one container a caller means, with the engine's precedence: a full id, then an
 * exact name, then a unique id prefix. Several matches is a conflict, not a guess: acting
 * on the wrong container is worse than asking for more. Matches on several engines answer
 * 409 AMBIGUOUS naming the candidates (engine, id, name); a prefix matching several
 * containers of one engine stays AMBIGUOUS_CONTAINER_ID.
 */
export function resolveContainer<T extends Identified>(ref: string, containers: Iterable<T>): T {
  const wanted = wantedOf(ref);
  const isHex = /^[0-9a-f]+$/.test(wanted);
  const byId: T[] = [];
  const byName: T[] = [];
  const byPrefix: T[] = [];
  for (const c of containers) {
    if (c.id === wanted) byId.push(c);
    else if (c.name === wanted) byName.push(c);
    else if (isHex && c.id.startsWith(wanted)) byPrefix.push(c);
  }
  for (const matches of [byId, byName]) {
    if (matches.length === 1) return matches[0] as T;
    if (matches.length > 1) throw ambiguous(wanted, matches);
  }
  if (byPrefix.length === 1) return byPrefix[0] as T;
  if (byPrefix.length > 1) {
    if (new Set(byPrefix.map((c) => c.engine)).size > 1) throw ambiguous(wanted, byPrefix);
    throw appError('AMBIGUOUS_CONTAINER_ID', `The id prefix "${wanted}" matches ${byPrefix.length} containers; give more characters or the name`);
  }
  throw notFound(wanted);
}

function ambiguous(wanted: string, matches: readonly Identified[]) {
  const candidates = matches.slice(0, MAX_CANDIDATES).map((c) => ({ engine: c.engine ?? 'local', id: c.id, name: c.name }));
  const engines = [...new Set(candidates.map((c) => c.engine))].join(', ');
  return appError('AMBIGUOUS', `"${wanted}" matches ${matches.length} containers on engines ${engines}; name the engine ({engine}:${wanted} or ?engine=)`, { candidates });
}

/** The one "not found" answer, the same for a missing container and a hidden one. */
export function notFound(ref: string) {
  return appError('CONTAINER_NOT_FOUND', `No such container: ${ref.startsWith('/') ? ref.slice(1) : ref}`);
}

/** A reference split into its engine (`{engine}:{ref}`, or `?engine=`) and the id or name. */
export interface ContainerRef {
  engine?: string;
  ref: string;
}

/**
 * Reads `{engine}:{id-or-name}` (names and ids never hold a `:`), merged with `?engine=`.
 * Both given and different is a 400: the caller contradicts itself.
 */
export function parseRef(ref: string, engine?: string): ContainerRef {
  const colon = ref.indexOf(':');
  const named = colon > 0 ? ref.slice(0, colon) : undefined;
  const bare = colon > 0 ? ref.slice(colon + 1) : ref;
  if (named !== undefined && engine !== undefined && named !== engine) {
    throw appError('VALIDATION_ERROR', `The reference names engine "${named}" but ?engine= says "${engine}"`);
  }
  const chosen = named ?? engine;
  return chosen === undefined ? { ref: bare } : { engine: chosen, ref: bare };
}

/** The reference with its engine in front, as routes hand it to the services. */
export function qualifiedRef(ref: string, engine?: string): string {
  const parsed = parseRef(ref, engine);
  return parsed.engine === undefined ? parsed.ref : `${parsed.engine}:${parsed.ref}`;
}
