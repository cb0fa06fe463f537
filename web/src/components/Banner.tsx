import type { Connection } from '../state/live';

/** Says plainly when the engine or the connection is gone; disappears on recovery. */
export function Banner({ connection }: { connection: Connection }) {
  if (connection === 'live' || connection === 'connecting') return null;
  return (
    <div className="banner" role="alert" data-testid="banner">
      {connection === 'engine-down'
        ? 'The Docker engine is unreachable. The list shows the last known state; it updates again as soon as the engine is back.'
        : 'Connection to the service lost. Reconnecting…'}
    </div>
  );
}
