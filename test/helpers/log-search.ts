import type { LogSearchMatch, LogSearchSummary } from '../../src/logsearch/schemas.js';
import type { SseClient } from './sse-client.js';

export interface SearchAnswer {
  status: number;
  contentType: string;
  start?: { containers: { id: string; name: string; engine: string }[]; order: string };
  matches: LogSearchMatch[];
  summary?: LogSearchSummary;
  /** Every message in order, as {event, data}. */
  messages: { event: string; data: unknown }[];
  body: string;
}

/** GET /api/v1/logs/search as NDJSON over a real connection to the listening test app at `base`; the search ends by itself. */
export async function searchNdjson(base: string, query: Record<string, string | number | boolean>, headers: Record<string, string>): Promise<SearchAnswer> {
  const url = `${base}/api/v1/logs/search?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
  const res = await fetch(url, { headers: { accept: 'application/x-ndjson', ...headers } });
  const body = await res.text();
  const answer: SearchAnswer = { status: res.status, contentType: res.headers.get('content-type') ?? '', matches: [], messages: [], body };
  if (res.status !== 200) return answer;
  for (const line of body.split('\n').filter((l) => l.length > 0)) {
    const message = JSON.parse(line) as { event: string; data: unknown };
    answer.messages.push(message);
    if (message.event === 'start') answer.start = message.data as SearchAnswer['start'];
    if (message.event === 'match') answer.matches.push(message.data as LogSearchMatch);
    if (message.event === 'summary') answer.summary = message.data as LogSearchSummary;
  }
  return answer;
}

/** Waits until the container's live logs stream (opened with timestamps=true) carried `count` lines. */
export async function linesLogged(stream: SseClient, count: number, timeoutMs = 20_000): Promise<void> {
  const lines = () => stream.events.filter((e) => e.event === 'log').length;
  await stream.waitFor(() => lines() >= count, timeoutMs, `${count} log lines (${lines()} so far)`);
}
