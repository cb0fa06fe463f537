import type { FastifyRequest, RouteOptions } from 'fastify';
import type { AuditDetails } from '../audit.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * What the audit row of this route keeps. `body`: the body fields worth recording —
     * never a secret (password, token). A mutating route with a body must declare it,
     * `[]` included, or the app does not start.
     */
    audit?: { body: readonly string[] };
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 3;
/** A row's details stay small whatever a caller sends: past this, only a marker is kept. */
const MAX_JSON = 4096;

/** Refuses, at start-up, a mutating route with a body that does not say what to audit. */
export function requireAuditDeclaration(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (!methods.some((m) => MUTATING.has(m)) || !route.schema?.body) return;
  const audit = (route.config as { audit?: { body?: unknown } } | undefined)?.audit;
  if (!Array.isArray(audit?.body)) {
    throw new Error(`${methods.join(',')} ${route.url}: a route with a body must declare config.audit.body, the fields its audit row keeps (never secrets)`);
  }
}

/** A bounded copy of a value: strings cut, arrays and objects limited, deep nesting dropped. */
function bounded(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (depth >= MAX_DEPTH || typeof value !== 'object') return '…';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => bounded(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .slice(0, MAX_ITEMS)
      .map(([k, v]) => [k.slice(0, MAX_STRING), bounded(v, depth + 1)]),
  );
}

function pick(source: unknown, fields: readonly string[]): Record<string, unknown> | undefined {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return undefined;
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    if (Object.hasOwn(source, field)) picked[field] = bounded((source as Record<string, unknown>)[field], 1);
  }
  return Object.keys(picked).length > 0 ? picked : undefined;
}

function capped(part: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (part === undefined) return undefined;
  return JSON.stringify(part).length > MAX_JSON ? { truncated: true } : part;
}

/**
 * What a mutating request asked for: the route's declared body fields, as sent (also when
 * it was refused as invalid), and its query options. Query strings carry options only
 * (the request log holds every URL anyway), so they are kept whole, bounded. A request
 * refused before its body was read (401, 403, 421, 429) has no body here.
 */
export function auditDetails(request: FastifyRequest): AuditDetails | null {
  const fields = request.routeOptions.config?.audit?.body ?? [];
  const body = capped(pick(request.body, fields));
  const query = request.query as Record<string, unknown> | undefined;
  const options = capped(query && typeof query === 'object' && Object.keys(query).length > 0 ? (bounded(query, 1) as Record<string, unknown>) : undefined);
  const container = request.auditContainer;
  if (!body && !options && !container) return null;
  return { ...(body ? { body } : {}), ...(options ? { query: options } : {}), ...(container ? { container: { engine: container.engine, id: container.id } } : {}) };
}
