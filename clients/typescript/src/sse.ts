import type { components, paths } from './generated/schema.js';

/** One Server-Sent Event. `data` is the parsed JSON (the service always sends JSON), else the raw text. */
export interface SseMessage<E extends string = string, D = unknown> {
  event: E;
  /** The event's `id:` field, when it had one (the events stream numbers every event). */
  id?: string;
  data: D;
}

type ContainerSummary = components['schemas']['ContainerSummary'];
type Json<T> = T extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;

/** One change of the engine's containers (`container` event of /events). */
export interface ContainerChange {
  kind: 'added' | 'updated' | 'removed';
  /** The engine's action (start, die, health_status, …) or "resync". */
  action: string;
  id: string;
  name: string;
  time: string;
  /** The container after the change; absent once removed. */
  container?: ContainerSummary;
  groups: string[];
}

/** Every stream ends with this when the engine goes away: reconnect once /ready answers 200. */
export type EngineLostEvent = SseMessage<'error', { code: string; message: string }>;
/** Every stream ends with this when the service stops: reconnect shortly. */
export type ShutdownEvent = SseMessage<'shutdown', { reason: string }>;

/** Events of `GET /api/v1/events`. */
export type ContainerStreamEvent =
  | SseMessage<'ready', { lastEventId: number }>
  | SseMessage<'container', ContainerChange>
  | SseMessage<'snapshot', { containers: ContainerSummary[] }>
  | SseMessage<'resync', { reason: string }>
  | EngineLostEvent
  | ShutdownEvent;

export type LogLine = Json<paths['/api/v1/containers/{id}/logs']['get']>['lines'][number];

/** Events of `GET /api/v1/containers/{id}/logs?follow=true`. */
export type LogStreamEvent =
  | SseMessage<'open', { id: string; name: string; tty: boolean }>
  | SseMessage<'log', LogLine>
  | SseMessage<'end', { reason: string; state: string; exitCode: number }>
  | EngineLostEvent
  | ShutdownEvent;

export type StatsSample = Json<paths['/api/v1/containers/{id}/stats']['get']>;

/** Events of `GET /api/v1/containers/{id}/stats?stream=true`. */
export type StatsStreamEvent =
  | SseMessage<'stats', StatsSample>
  | SseMessage<'end', { reason: string; state: string }>
  | EngineLostEvent
  | ShutdownEvent;

export const CONTAINER_STREAM_EVENTS = ['ready', 'container', 'snapshot', 'resync', 'error', 'shutdown'] as const;
export const LOG_STREAM_EVENTS = ['open', 'log', 'end', 'error', 'shutdown'] as const;
export const STATS_STREAM_EVENTS = ['stats', 'end', 'error', 'shutdown'] as const;

/**
 * An incremental `text/event-stream` parser (the WHATWG rules): lines end with \n, \r\n
 * or \r; `event:`, `id:` and `data:` fields (data lines joined with \n); `:` comments
 * (the service's heartbeats) and `retry:` are ignored; a blank line ends an event.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private id: string | undefined;
  private data: string[] = [];

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseMessage[] {
    this.buffer += text;
    const out: SseMessage[] = [];
    const eol = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = eol.exec(this.buffer); m; m = eol.exec(this.buffer)) {
      // A \r at the very end may be the first half of \r\n: wait for more.
      if (m[0] === '\r' && eol.lastIndex === this.buffer.length) break;
      this.line(this.buffer.slice(start, m.index), out);
      start = eol.lastIndex;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.data.length > 0) {
        const raw = this.data.join('\n');
        let data: unknown = raw;
        try {
          data = JSON.parse(raw);
        } catch {
          // not JSON: the raw text
        }
        out.push({ event: this.event || 'message', ...(this.id !== undefined ? { id: this.id } : {}), data });
      }
      this.event = '';
      this.id = undefined;
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
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
