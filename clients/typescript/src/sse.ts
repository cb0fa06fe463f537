import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { components } from './generated/schema.js';

/** One Server-Sent Event. `data` is the parsed JSON (the service always sends JSON), else the raw text. */
export interface SseMessage<E extends string = string, D = unknown> {
  event: E;
  /** The event's `id:` field, when it had one (the events stream numbers every event). */
  id?: string;
  data: D;
}

type Schemas = components['schemas'];

/**
 * The events of each stream, straight from the OpenAPI document: every stream's answer is
 * a `text/event-stream` whose schema is a union of `{event, id?, data}` messages, `data`
 * being the event's payload component (ContainerChangeEvent, LogLineEvent, …).
 */

/** One change of an engine's containers (`container` event of /events); `engine` names the engine. */
export type ContainerChange = Schemas['ContainerChangeEvent'];

/** With several engines, one lost or back (`engine` event of /events): the others stream on; refetch the list for the stale marks. */
export type EngineChange = Schemas['EngineEvent'];

/** Every stream ends with this when the engine goes away (reconnect once /ready answers 200), or the caller's access ended or changed. */
export type EngineLostEvent = SseMessage<'error', Schemas['StreamErrorEvent']>;
/** Every stream ends with this when the service stops: reconnect shortly. */
export type ShutdownEvent = SseMessage<'shutdown', Schemas['ShutdownEvent']>;

/** Events of `GET /api/v1/events`. */
export type ContainerStreamEvent = Schemas['ContainerEventsMessage'];

export type LogLine = Schemas['LogLineEvent'];

/** Events of `GET /api/v1/containers/{id}/logs?follow=true`. */
export type LogStreamEvent = Schemas['LogStreamMessage'];

export type StatsSample = Schemas['ContainerStatsEvent'];

/** Events of `GET /api/v1/containers/{id}/stats?stream=true`. */
export type StatsStreamEvent = Schemas['ContainerStatsStreamMessage'];

/** Events of `GET /api/v1/stats?stream=true`. */
export type StatsSetStreamEvent = Schemas['StatsSetStreamMessage'];

/** Events of a group start or stop asked with `Accept: text/event-stream`. */
export type GroupStreamEvent = Schemas['GroupStreamMessage'];

/** Events of compose up or down asked with `Accept: text/event-stream`. */
export type ComposeStreamEvent = Schemas['ComposeStreamMessage'];

/**
 * The event names a typed stream yields, checked against the document both ways: a name it
 * does not have, or one of its events left out (which `only` would then drop), does not compile.
 */
function eventNames<E extends SseMessage>() {
  return <const N extends readonly E['event'][]>(names: N & ([Exclude<E['event'], N[number]>] extends [never] ? unknown : never)): N => names;
}

export const CONTAINER_STREAM_EVENTS = eventNames<ContainerStreamEvent>()(['ready', 'container', 'snapshot', 'resync', 'engine', 'error', 'shutdown']);
export const LOG_STREAM_EVENTS = eventNames<LogStreamEvent>()(['open', 'log', 'end', 'error', 'shutdown']);
export const STATS_STREAM_EVENTS = eventNames<StatsStreamEvent>()(['stats', 'end', 'error', 'shutdown']);

/**
 * An incremental `text/event-stream` parser. The wire format (the WHATWG rules: \n, \r\n
 * or \r line ends, `event:`/`id:`/`data:` fields, data lines joined with \n, a blank line
 * ends an event) is read by eventsource-parser, the one SSE parser of this project; this
 * class only turns its events into `SseMessage`s. `:` comments (the service's heartbeats)
 * and `retry:` are ignored; an event's `id` is its own `id:` field, when it had one.
 */
export class SseParser {
  private readonly parser: EventSourceParser;
  private out: SseMessage[] = [];

  constructor() {
    this.parser = createParser({ onEvent: (e) => this.out.push(toMessage(e)) });
  }

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseMessage[] {
    this.parser.feed(text);
    const done = this.out;
    this.out = [];
    return done;
  }
}

/** `data` parsed as JSON (the service always sends JSON), else the raw text. */
function toMessage(e: EventSourceMessage): SseMessage {
  let data: unknown = e.data;
  try {
    data = JSON.parse(e.data);
  } catch {
    // not JSON: the raw text
  }
  return { event: e.event ?? 'message', ...(e.id !== undefined ? { id: e.id } : {}), data };
}

/**
 * Opens a stream with `open(signal)` and yields its events until the server ends it.
 * Aborting `signal` ends the iteration quietly; leaving the loop early (break, return,
 * throw) closes the connection. A connection that breaks throws (fetch's TypeError).
 */
export async function* readSse(
  open: (signal: AbortSignal) => Promise<ReadableStream<Uint8Array> | null>,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage, void, undefined> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) return;
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const body = await open(controller.signal);
    if (!body) return;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield* parser.push(decoder.decode(value, { stream: true }));
      }
      // A last event without its blank line is incomplete: dropped, as EventSource does.
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  } catch (err) {
    // The caller asked to stop: whatever fetch threw for it (AbortError) is no failure.
    if (signal?.aborted) return;
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

/** Keeps the events a typed stream knows (a newer service may add others). */
export async function* only<T extends SseMessage>(
  source: AsyncIterable<SseMessage>,
  names: readonly T['event'][],
): AsyncGenerator<T, void, undefined> {
  for await (const message of source) {
    if ((names as readonly string[]).includes(message.event)) yield message as T;
  }
}
