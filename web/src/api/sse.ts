export interface SseMessage {
  event: string;
  id?: string;
  data: unknown;
}

/**
 * Reads a text/event-stream response body (for POSTs, which EventSource cannot send):
 * calls `onMessage` per event and resolves when the server ends the stream.
 */
export async function readEventStream(response: Response, onMessage: (m: SseMessage) => void): Promise<void> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) onMessage({ event, id, data: JSON.parse(data.join('\n')) as unknown });
    }
  }
}

/** POSTs and follows the progress stream the service sends for group and compose operations. */
export async function postStream(url: string, body: unknown, onMessage: (m: SseMessage) => void): Promise<void> {
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
