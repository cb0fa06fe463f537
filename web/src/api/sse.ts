import { EventSourceParserStream } from 'eventsource-parser/stream';

export interface SseMessage {
  event: string;
  id?: string;
  data: unknown;
}

/**
 * Reads a text/event-stream response body (for POSTs, which EventSource cannot send):
 * calls `onMessage` per event and resolves when the server ends the stream. The wire format
 * is read by eventsource-parser, the project's one SSE parser; comments (heartbeats) and
 * retry: yield no message.
 */
export async function readEventStream<M extends SseMessage = SseMessage>(response: Response, onMessage: (m: M) => void): Promise<void> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    // The message types come from the OpenAPI document (e.g. GroupStreamMessage): the service sends what it declares.
    onMessage({ event: value.event ?? 'message', id: value.id, data: JSON.parse(value.data) as unknown } as M);
  }
}

/** POSTs and follows the progress stream the service sends for group and compose operations. */
export async function postStream<M extends SseMessage = SseMessage>(url: string, body: unknown, onMessage: (m: M) => void): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'text/event-stream', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const err = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(err.error?.message ?? `HTTP ${response.status}`);
  }
  await readEventStream(response, onMessage);
}
