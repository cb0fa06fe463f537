import type { Engine } from '../api/client';
import { ago, clock } from '../state/engine-status';

function Reachable({ e }: { e: Engine }) {
  if (!e.reachable) return <span className="pill state-exited">unreachable</span>;
  return e.synced ? <span className="pill state-running">reachable</span> : <span className="pill state-restarting">syncing</span>;
}

function LastError({ e }: { e: Engine }) {
  const err = e.lastError;
  if (!err) return <span className="muted">–</span>;
  // Kept after recovery with its time: shown muted once the engine answers again.
  return (
    <span className={e.reachable ? 'muted' : 'error'} title={err.message}>
      {err.cause ?? err.code}: {err.message} ({clock(err.at)})
    </span>
  );
}

/**
 * Every engine the service follows (GET /api/v1/engines, refreshed every few seconds and on
 * each `engine` event): where it is, whether it answers, what it runs, and its containers,
 * which link to the table filtered to that engine.
 */
export function EnginesPage({ engines, error, updatedAt }: { engines?: Engine[]; error?: string; updatedAt?: number }) {
  if (!engines) return error ? <p className="error">{error}</p> : <p className="muted">Loading…</p>;
  return (
    <section aria-label="Engines">
      <div className="toolbar">
        <span className="muted" data-testid="engines-updated">
          {engines.length} engine{engines.length === 1 ? '' : 's'}
          {updatedAt ? ` · updated ${new Date(updatedAt).toLocaleTimeString()}` : ''}
        </span>
        {error && <span className="error">Refresh failed: {error}</span>}
      </div>
      <table aria-label="Engines table">
        <thead>
          <tr>
            <th>Name</th>
            <th>URL</th>
            <th>Status</th>
            <th>Version</th>
            <th>API version</th>
            <th>Containers</th>
            <th>Running</th>
            <th>Latency</th>
            <th>Required</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {engines.map((e) => (
            <tr key={e.name} data-testid={`engine-${e.name}`} className={e.reachable ? undefined : 'stale'}>
              <td>
                <strong>{e.name}</strong>
              </td>
              <td className="mono">{e.url}</td>
              <td>
                <Reachable e={e} />
                {!e.synced && e.lastSeen && (
                  <span className="muted" title={e.lastSeen}>
                    {' '}
                    last seen {ago(e.lastSeen)}
                  </span>
                )}
              </td>
              <td>{e.version ?? '–'}</td>
              <td>{e.apiVersion ?? '–'}</td>
              <td className="num">
                <a href={`#/containers?engine=${encodeURIComponent(e.name)}`} aria-label={`Containers on ${e.name}`}>
                  {e.containers}
                </a>
              </td>
              <td className="num">{e.running}</td>
              <td className="num">{e.latencyMs === null ? '–' : `${e.latencyMs < 10 ? e.latencyMs.toFixed(1) : Math.round(e.latencyMs)} ms`}</td>
              <td>{e.required ? 'yes' : 'no'}</td>
              <td className="wrap">
                <LastError e={e} />
                {!e.reachable && e.hint && <div className="muted">{e.hint}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
