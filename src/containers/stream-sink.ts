import type { SseStream } from '../http/sse/sse.js';

/** Where a live stream writes (an SSE response), as the streaming services see it. */
export type StreamSink = Pick<SseStream, 'send' | 'end' | 'congested' | 'onDrain' | 'onClose'>;

/**
 * Opens the sink. A service calls it only once every check passed (the container exists,
 * the viewer may see it, the store is synced), so that a refusal still answers as JSON;
 * it may throw (no stream slot left: 429).
 */
export type OpenSink = () => StreamSink;
