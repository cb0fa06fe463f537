import type { FastifyReply, FastifyRequest } from 'fastify';
import { SseStream } from './sse.js';
import type { StreamLimiter } from './stream-limiter.js';

export interface StreamSettings {
  limiter: StreamLimiter;
  heartbeatMs: number;
}

/** Who a stream counts against. Until callers authenticate, that is the client address. */
export function streamCaller(request: FastifyRequest): string {
  return request.ip;
}

/** Takes a stream slot for the caller (429 past the cap) and opens the SSE response. */
export function openStream(request: FastifyRequest, reply: FastifyReply, settings: StreamSettings): SseStream {
  const release = settings.limiter.acquire(streamCaller(request));
  const stream = new SseStream(request, reply, { heartbeatMs: settings.heartbeatMs });
  stream.onClose(release);
  return stream;
}

/** The one error event every stream sends before it ends on an engine outage. */
export const ENGINE_LOST_EVENT = {
  code: 'DOCKER_UNAVAILABLE',
  message: 'The Docker engine went away; reconnect when /ready answers 200',
} as const;
