import { useState } from 'react';
import { api, unwrap, type ComposeStreamMessage } from '../api/client';
import { postStream } from '../api/sse';
import { useFetched } from '../state/live';
import { useSession } from '../state/session';

const NO_ENGINES: readonly string[] = [];

/**
 * Compose projects with status; up/down with the tool's output streamed live. With several
 * engines an Engine column names the one each project runs on (an adopted project whose
 * containers are on several engines has none: "several").
 */
export function ComposePage({ knownEngines = NO_ENGINES }: { knownEngines?: readonly string[] }) {
  const { can } = useSession();
  const { value, error, reload } = useFetched(async () => unwrap(await api.GET('/api/v1/compose/projects')));
  const [output, setOutput] = useState<{ stream: string; text: string }[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState('');

  const act = async (project: string, action: 'up' | 'down') => {
    setBusy(true);
    setOutput([]);
    setResult('');
    try {
      await postStream<ComposeStreamMessage>(`/api/v1/compose/${action}`, { project }, (m) => {
        if (m.event === 'output') setOutput((o) => [...o, m.data].slice(-2000));
        if (m.event === 'result') {
          const r = m.data;
          setResult(r.exitCode === 0 ? `${action} done in ${(r.durationMs / 1000).toFixed(1)} s` : `${action} failed (exit code ${r.exitCode}${r.timedOut ? ', timed out' : ''})`);
        }
      });
    } catch (err) {
      setResult(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
      reload();
    }
  };

  if (error) return <p className="error">{error}</p>;
  if (!value) return <p className="muted">Loading…</p>;
  const showEngine = knownEngines.length > 1 || value.projects.some((p) => p.engine === null || (knownEngines.length > 0 && !knownEngines.includes(p.engine)));
  return (
    <section aria-label="Compose projects">
      <p className="muted">Tool: {value.tool ? `${value.tool.command} ${value.tool.version}` : 'none found'}</p>
      <table>
        <thead>
          <tr>
            <th>Project</th>
            {showEngine && <th>Engine</th>}
            <th>Source</th>
            <th>Status</th>
            <th>Containers</th>
            <th>Services</th>
            <th>Files</th>
            {(can('WRITE') || can('DELETE')) && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {value.projects.map((p) => (
            <tr key={`${p.engine ?? ''}/${p.name}`}>
              <td>{p.name}</td>
              {showEngine && (
                <td data-testid="project-engine" className={p.engine === null ? 'muted' : undefined}>
                  {p.engine ?? 'several'}
                </td>
              )}
              <td>{p.source}</td>
              <td>
                <span className={`pill status-${p.status}`}>{p.status}</span>
              </td>
              <td className="num">
                {p.containers.running}/{p.containers.total}
              </td>
              <td>{p.services.join(', ')}</td>
              <td className="mono">{p.files.join(', ')}</td>
              {(can('WRITE') || can('DELETE')) && (
                <td className="actions">
                  {p.managed && can('WRITE') && (
                    <button type="button" disabled={busy} onClick={() => void act(p.name, 'up')}>
                      Up
                    </button>
                  )}
                  {p.managed && can('DELETE') && (
                    <button type="button" disabled={busy} onClick={() => void act(p.name, 'down')}>
                      Down
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {(output.length > 0 || result) && (
        <section aria-label="Compose output">
          <pre className="log-box">
            {output.map((o, i) => (
              <div key={i} className={`log-line log-${o.stream}`}>
                {o.text}
              </div>
            ))}
          </pre>
          {result && <p>{result}</p>}
        </section>
      )}
    </section>
  );
}
