import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommonStreamEvents } from './events.js';

export interface SseOptions {
  heartbeatMs: number;
  /** Bytes queued for a slow reader before it counts as congested. */
  maxBufferBytes?: number;
  /**
   * `ndjson`: the same messages as one JSON object a line ({event, id?, data}), for clients
   * that read a body line by line (application/x-ndjson); heartbeats write nothing then.
   */
  format?: 'sse' | 'ndjson';
}

const DEFAULT_MAX_BUFFER = 256 * 1024;

/**
 * One Server-Sent Events response. Works with browsers' EventSource, Electron and curl.
 * It never blocks the producer: `congested` tells a slow reader apart so that each stream
 * can choose to drop, coalesce or pause its source, and `onDrain` says when it caught up.
 * `Events` maps each event name to its payload type (see events.ts): `send` takes nothing else.
 */
export class SseStream<Events extends object = CommonStreamEvents> {
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closeHandlers: (() => void)[] = [];
  private readonly heartbeatHandlers: (() => void)[] = [];
  private readonly maxBuffer: number;
  private readonly ndjson: boolean;

  constructor(
    request: FastifyRequest,
    private readonly reply: FastifyReply,
    options: SseOptions,
  ) {
    this.maxBuffer = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER;
    this.ndjson = options.format === 'ndjson';
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': this.ndjson ? 'application/x-ndjson; charset=utf-8' : 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies must not buffer a stream.
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    });
    if (!this.ndjson) raw.write(`retry: 2000\n\n`);
    this.heartbeat = setInterval(() => {
      this.comment('heartbeat');
      for (const fn of this.heartbeatHandlers) fn();
    }, options.heartbeatMs);
    this.heartbeat.unref();
    // The response's close, not the request's: a request "closes" as soon as its body was
    // read, which for a POST is before the stream even starts.
    raw.once('close', () => this.finish());
    raw.once('error', () => this.finish());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True when the reader is behind by more than the buffer limit. */
  get congested(): boolean {
    return this.reply.raw.writableLength > this.maxBuffer;
  }

  /** Writes one event; returns false if the stream is closed. */
  send<K extends keyof Events & string>(event: K, data: Events[K], id?: string | number): boolean {
    if (this.closed) return false;
    if (this.ndjson) {
      this.reply.raw.write(`${JSON.stringify(id === undefined ? { event, data } : { event, id: String(id), data })}\n`);
      return true;
    }
    const lines = [`event: ${event}`];
    if (id !== undefined) lines.push(`id: ${id}`);
    // JSON has no raw newlines, so one data line is always enough.
    lines.push(`data: ${JSON.stringify(data)}`);
    this.reply.raw.write(`${lines.join('\n')}\n\n`);
    return true;
  }

  comment(text: string): void {
    if (!this.closed && !this.ndjson) this.reply.raw.write(`: ${text}\n\n`);
  }

  onDrain(fn: () => void): void {
    this.reply.raw.once('drain', fn);
  }

  /** Runs `fn` at every heartbeat (e.g. to re-check that the caller may still read). */
  onHeartbeat(fn: () => void): void {
    this.heartbeatHandlers.push(fn);
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeHandlers.push(fn);
  }

  /** Sends a last event (if any) and ends the response. */
  end(): void;
  end<K extends keyof Events & string>(event: K, data: Events[K]): void;
  end<K extends keyof Events & string>(event?: K, data?: Events[K]): void {
    if (this.closed) return;
    if (event) this.send(event, data as Events[K]);
    this.reply.raw.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const fn of this.closeHandlers.splice(0)) {
      try {
        fn();
      } catch {
        // a close handler must not keep the others from running
      }
    }
  }
}
