import { useEffect, useRef, useState } from 'react';
import { readEventStream, type SseMessage } from '../api/sse';

/** A `match` of GET /api/v1/logs/search (LogSearchMatchEvent). */
interface Match {
  container: { id: string; name: string; engine: string };
  stream: 'stdout' | 'stderr';
  timestamp: string;
  line: string;
  truncated?: true;
}

/** The `summary` that ends a search (LogSearchSummaryEvent). */
interface Summary {
  containers: number;
  linesScanned: number;
  matches: number;
  truncated: boolean;
  timedOut: boolean;
  failed: { container: { name: string }; code: string }[];
  durationMs: number;
}

const RANGES = [
  ['15m', 'last 15 minutes'],
  ['1h', 'last hour'],
  ['24h', 'last 24 hours'],
  ['7d', 'last 7 days'],
  ['', 'all time'],
] as const;

/** Matches shown at most: the search asks for no more. */
const LIMIT = 500;

function summaryText(s: Summary): string {
  const parts = [`${s.matches} matches in ${s.containers} containers`, `${s.linesScanned.toLocaleString()} lines read`, `${(s.durationMs / 1000).toFixed(1)} s`];
  if (s.truncated) parts.push(`first ${LIMIT} shown`);
  if (s.timedOut) parts.push('timed out: partial result');
  if (s.failed.length) parts.push(`not read: ${s.failed.map((f) => `${f.container.name} (${f.code})`).join(', ')}`);
  return parts.join(' · ');
}

/**
 * Searches the logs of a set of containers on the server (a service group, or every
 * container the user may see, optionally by name pattern) and shows the matches as they
 * arrive, newest first, with container and time. Leaving or starting another search
 * cancels the running one (the service then stops reading the engine's logs).
 */
export function LogSearch({ group, title = 'Search logs' }: { group?: string; title?: string }) {
  const [q, setQ] = useState('');
  const [regex, setRegex] = useState(false);
  const [since, setSince] = useState<string>('1h');
  const [name, setName] = useState('');
  const [matches, setMatches] = useState<Match[]>([]);
  const [status, setStatus] = useState('');
  const [running, setRunning] = useState(false);
  const current = useRef<AbortController | null>(null);

  useEffect(() => () => current.current?.abort(), []);

  const search = async () => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setMatches([]);
    setStatus('Searching…');
    setRunning(true);
    const params = new URLSearchParams({ q, limit: String(LIMIT) });
    if (regex) params.set('regex', 'true');
    if (since) params.set('since', since);
    if (group) params.set('group', group);
    if (name) params.set('name', name);
    try {
      const response = await fetch(`/api/v1/logs/search?${params.toString()}`, { credentials: 'same-origin', headers: { accept: 'text/event-stream' }, signal: controller.signal });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
        setStatus(body.error?.message ?? `HTTP ${response.status}`);
        return;
      }
      // Matches come in bursts; one render per animation frame keeps the page responsive.
      let pending: Match[] = [];
      let frame = 0;
      const flush = () => {
        frame = 0;
        const batch = pending;
        pending = [];
        setMatches((m) => [...m, ...batch]);
      };
      await readEventStream(response, (m: SseMessage) => {
        if (m.event === 'match') {
          pending.push(m.data as Match);
          frame ||= requestAnimationFrame(flush);
        } else if (m.event === 'summary') setStatus(summaryText(m.data as Summary));
        else if (m.event === 'error') setStatus((m.data as { message?: string }).message ?? 'The search ended with an error');
      });
      if (frame) cancelAnimationFrame(frame);
      flush();
    } catch (err) {
      if (!controller.signal.aborted) setStatus(err instanceof Error ? err.message : String(err));
    } finally {
      if (current.current === controller) setRunning(false);
    }
  };

  const cancel = () => {
    current.current?.abort();
    setRunning(false);
    setStatus('Cancelled');
  };

  return (
    <section className="log-search" aria-label={title} data-testid="log-search">
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (q) void search();
        }}
      >
        <input type="search" placeholder={group ? `Search the logs of ${group}` : 'Search all logs'} aria-label="Log search text" value={q} maxLength={256} onChange={(e) => setQ(e.target.value)} />
        <label>
          <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} /> regex
        </label>
        <select aria-label="Time range" value={since} onChange={(e) => setSince(e.target.value)}>
          {RANGES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        {!group && <input type="text" placeholder="name pattern, e.g. api-*" aria-label="Container name pattern" value={name} onChange={(e) => setName(e.target.value)} />}
        <button type="submit" disabled={!q}>
          Search
        </button>
        {running && (
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        )}
        {status && (
          <span className="muted" role="status" data-testid="log-search-status">
            {status}
          </span>
        )}
      </form>
      {matches.length > 0 && (
        <div className="log-box log-search-results" role="log" aria-label="Log search matches">
          {matches.map((m, i) => (
            <div key={i} className={`log-line log-${m.stream}`} data-testid="log-search-match">
              <span className="log-stream">{new Date(m.timestamp).toLocaleString()}</span>
              <span className="log-stream">{m.container.name}</span>
              {/* Text nodes only: no HTML from a log line ever reaches the DOM. */}
              <span className="log-text">{m.line}</span>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
