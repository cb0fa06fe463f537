import type { Engine } from '../api/client';
import { ago, clock, engineOutages } from '../state/engine-status';
import type { Connection } from '../state/live';

const ONE_ENGINE = 'The Docker engine is unreachable. The list shows the last known state; it updates again as soon as the engine is back.';

/**
 * Says plainly when an engine or the connection is gone, and disappears on recovery (the
 * engines list is polled and refetched on the stream's `engine` events; no reload). With
 * several engines, each unreachable one is named with since when and why; the others stay
 * live and their containers keep updating.
 */
export function Banner({ connection, engines }: { connection: Connection; engines?: readonly Engine[] }) {
  if (connection === 'lost') {
    return (
      <div className="banner" role="alert" data-testid="banner">
        Connection to the service lost. Reconnecting…
      </div>
    );
  }
  const outages = engineOutages(engines ?? []);
  const several = (engines?.length ?? 0) > 1;
  if (connection !== 'engine-down' && outages.length === 0) return null;
  const now = Date.now();
  return (
    <div className="banner" role="alert" data-testid="banner">
      {several ? (
        <p>
          {outages.length === 0 ? 'No engine is reachable.' : `${outages.length} of ${engines?.length} engines unreachable.`} Their containers are shown greyed as last seen; the
          others stay live. Each reconnects by itself.
        </p>
      ) : (
        <p>{ONE_ENGINE}</p>
      )}
      {outages.length > 0 && (
        <ul aria-label="Unreachable engines">
          {outages.map((o) => (
            <li key={o.name} data-testid={`banner-engine-${o.name}`} title={o.message}>
              <strong>{o.name}</strong>
              {o.required ? ' (required)' : ''}
              {o.since ? ` since ${clock(o.since)} (${ago(o.since, now)})` : ''}: {o.why}
              {o.hint ? <span className="banner-hint"> — {o.hint}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
