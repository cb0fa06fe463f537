import type { FastifyReply, FastifyRequest } from 'fastify';
import { SseStream } from './sse.js';
import type { CommonStreamEvents, EventSchemas, EventsOf, StreamDefinition } from './events.js';
import type { StreamLimiter } from './stream-limiter.js';

/** Ends a stream when its caller loses the right to it; the access feature provides it. */
export interface StreamGuard {
  watch(request: FastifyRequest, stream: SseStream<CommonStreamEvents>): void;
}

export interface StreamSettings {
  limiter: StreamLimiter;
  heartbeatMs: number;
  /** Every open stream, so that shutdown can end them instead of waiting on them. */
  open: Set<SseStream<CommonStreamEvents>>;
  /** Ends a stream when its caller loses the right to it (disabled, deleted, logged out, expired…). */
  guard: StreamGuard;
}

/** Who a stream counts against: the authenticated subject, else the client address. */
export function streamCaller(request: FastifyRequest): string {
  return request.principal ? `sub:${request.principal.sub}` : `ip:${request.ip}`;
}

/**
 * Takes a stream slot for the caller (429 past the cap), opens the SSE response, and
 * keeps it tied to the caller's right to read (every stream, whatever it carries).
 * `definition` types the stream: it sends only its events, each with its payload's type.
 */
export function openStream<S extends EventSchemas>(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: StreamSettings,
  // Only its type is used: the events a stream may send are checked when it compiles.
  _definition: StreamDefinition<S>,
  format: 'sse' | 'ndjson' = 'sse',
): SseStream<EventsOf<StreamDefinition<S>['events']>> {
  const release = settings.limiter.acquire(streamCaller(request));
  const stream = new SseStream<EventsOf<StreamDefinition<S>['events']>>(request, reply, { heartbeatMs: settings.heartbeatMs, format });
  settings.open.add(stream);
  stream.onClose(() => {
    release();
    settings.open.delete(stream);
  });
  settings.guard.watch(request, stream);
  return stream;
}

/** The one error event every stream sends before it ends on an engine outage. */
export const ENGINE_LOST_EVENT: CommonStreamEvents['error'] = {
  code: 'DOCKER_UNAVAILABLE',
  message: 'The Docker engine went away; reconnect when /ready answers 200',
};

/** Ends every open stream with a `shutdown` event (graceful close must not wait on them). */
export function endAllStreams(settings: StreamSettings): void {
  for (const stream of [...settings.open]) stream.end('shutdown', { reason: 'The service is shutting down; reconnect shortly' });
}
