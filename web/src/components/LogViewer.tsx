import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { LogEndEvent, LogLineEvent } from '../api/client';
import { endSessionIfAccessEnded } from '../state/session-end';
import { parseAnsi } from './ansi';

/** A `log` event (LogLineEvent) numbered for React's keys. */
type Line = LogLineEvent & { n: number };

const MAX_LINES = 5000;

function Highlighted({ text, query }: { text: string; query: string }) {
  if (!query) return <>{text}</>;
  const parts = text.split(query);
  return (
    <>
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 && <mark>{query}</mark>}
        </span>
      ))}
    </>
  );
}

const LogLine = memo(function LogLine({ line, query }: { line: Line; query: string }) {
  return (
    <div className={`log-line log-${line.stream}`} data-stream={line.stream}>
      <span className="log-stream" aria-label={line.stream}>
        {line.stream === 'stderr' ? 'err' : 'out'}
      </span>
      {/* One flex item for the text: the line's gap must not open between runs. */}
      <span className="log-text">
        {parseAnsi(line.text).map((run, i) => (
          <span key={i} className={run.classes.join(' ') || undefined} style={run.style}>
            <Highlighted text={run.text} query={query} />
          </span>
        ))}
      </span>
    </div>
  );
});

/**
 * Live logs of one container: follow, pause, search with highlight, stdout/stderr apart,
 * ANSI colours and attributes (see ./ansi.ts), download. Lines are rendered as text nodes
 * only: no HTML from a log ever reaches the DOM.
 */
export function LogViewer({ containerId, name }: { containerId: string; name: string }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [paused, setPaused] = useState(false);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('connecting');
  const pending = useRef<Line[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let n = 0;
    setLines([]);
    const source = new EventSource(`/api/v1/containers/${encodeURIComponent(containerId)}/logs?follow=true&tail=500&timestamps=true`, { withCredentials: true });
    // Lines are batched per animation frame: a chatty container must not re-render per line.
    let frame = 0;
    const flush = () => {
      frame = 0;
      if (pausedRef.current || pending.current.length === 0) return;
      const batch = pending.current;
      pending.current = [];
      setLines((prev) => [...prev, ...batch].slice(-MAX_LINES));
    };
    source.addEventListener('open', () => setStatus('following'));
    source.addEventListener('log', (e) => {
      const l = JSON.parse((e as MessageEvent<string>).data) as LogLineEvent;
      pending.current.push({ ...l, n: n++ });
      if (!frame) frame = requestAnimationFrame(flush);
    });
    source.addEventListener('end', (e) => {
      const end = JSON.parse((e as MessageEvent<string>).data) as LogEndEvent;
      setStatus(`${end.reason} (exit code ${end.exitCode})`);
      source.close();
    });
    source.addEventListener('error', (e) => {
      if (endSessionIfAccessEnded(e)) source.close();
      setStatus((s) => (s.startsWith('container') ? s : 'disconnected'));
    });
    return () => {
      cancelAnimationFrame(frame);
      source.close();
    };
  }, [containerId]);

  useEffect(() => {
    if (!paused) {
      const batch = pending.current;
      pending.current = [];
      if (batch.length) setLines((prev) => [...prev, ...batch].slice(-MAX_LINES));
    }
  }, [paused]);

  useEffect(() => {
    if (!paused && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, paused]);

  const shown = useMemo(() => (query ? lines.filter((l) => l.text.includes(query)) : lines), [lines, query]);

  const download = () => {
    const text = lines.map((l) => `${l.timestamp ?? ''} ${l.stream} ${l.text}`).join('\n');
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name}.log`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="logs" aria-label="Logs">
      <div className="toolbar">
        <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <input type="search" placeholder="Search logs" aria-label="Search logs" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="button" onClick={download}>
          Download
        </button>
        <span className="muted" data-testid="log-status">
          {status} · {lines.length} lines
        </span>
      </div>
      <div className="log-box" ref={box} data-testid="log-box" tabIndex={0}>
        {shown.map((l) => (
          <LogLine key={l.n} line={l} query={query} />
        ))}
      </div>
    </section>
  );
}
