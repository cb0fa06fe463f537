import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Serialises a view as its route declares it (the route's compiled response schema), else plain JSON. */
export function serializerOf(reply: FastifyReply): (view: unknown) => string {
  const compiled = reply.getSerializationFunction('200');
  return compiled ? (view) => compiled(view as { [key: string]: unknown }) : (view) => JSON.stringify(view);
}

/** A JSON answer serialised once and kept: its bytes and the ETag naming exactly them. */
export interface ReadyBody {
  body: Buffer;
  etag: string;
}

/**
 * Serialised bytes with a strong ETag from their content. A content hash is exact: two
 * answers share a tag only when every byte is the same, so a 304 can never hide anything
 * that changed (a status text, an uptime, a usage sample), and a viewer's tag never
 * revalidates another viewer's different view.
 */
export function readyBody(json: string): ReadyBody {
  const body = Buffer.from(json);
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks for it). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return (tag.startsWith('W/') ? tag.slice(2) : tag) === opaque;
  });
}

/**
 * Answers with ready bytes: 304 with no body when the caller's If-None-Match names them,
 * else the bytes as they are (no serialisation on this request). The answer depends on who
 * asks, so shared caches must not keep it and private ones must revalidate.
 */
export function sendReady(request: FastifyRequest, reply: FastifyReply, ready: ReadyBody): FastifyReply {
  const vary = reply.getHeader('vary');
  reply
    .header('etag', ready.etag)
    .header('cache-control', 'private, no-cache')
    .header('vary', vary ? `${String(vary)}, authorization, cookie` : 'authorization, cookie');
  if (matchesEtag(request.headers['if-none-match'], ready.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(ready.body);
}
