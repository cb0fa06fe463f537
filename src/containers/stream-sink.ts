import type { EventSchemas, EventsOf, StreamDefinition } from '../http/sse/events.js';
import type { SseStream } from '../http/sse/sse.js';
import type { CONTAINER_EVENTS_STREAM, CONTAINER_STATS_STREAM, LOG_STREAM, STATS_SET_STREAM } from './stream-schemas.js';

/** The event name → payload map of a defined stream (its own events and the common ones). */
export type StreamEvents<D extends StreamDefinition<EventSchemas>> = EventsOf<D['events']>;

/** Where a live stream writes (an SSE response), as the streaming services see it: typed by its events. */
export type StreamSink<E extends object> = Pick<SseStream<E>, 'send' | 'end' | 'congested' | 'onDrain' | 'onClose'>;

/**
 * Opens the sink. A service calls it only once every check passed (the container exists,
 * the viewer may see it, the store is synced), so that a refusal still answers as JSON;
 * it may throw (no stream slot left: 429).
 */
export type OpenSink<E extends object> = () => StreamSink<E>;

export type ContainerEventsSink = OpenSink<StreamEvents<typeof CONTAINER_EVENTS_STREAM>>;
export type LogSink = OpenSink<StreamEvents<typeof LOG_STREAM>>;
export type ContainerStatsSink = OpenSink<StreamEvents<typeof CONTAINER_STATS_STREAM>>;
export type StatsSetSink = OpenSink<StreamEvents<typeof STATS_SET_STREAM>>;
