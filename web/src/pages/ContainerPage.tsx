import { useEffect, useState } from 'react';
import { api, ApiError, unwrap, type ContainerDetails, type ContainerStatsEvent, type ContainerSummary } from '../api/client';
import { bytes, percent } from '../components/format';
import { HistoryChart } from '../components/HistoryChart';
import { LogViewer } from '../components/LogViewer';
import { Sparkline } from '../components/Sparkline';
import { containerKey } from '../state/containers';
import { clock } from '../state/engine-status';
import { useFetched } from '../state/live';
import { endSessionIfAccessEnded } from '../state/session-end';

interface Sample {
  cpu: number;
  memory: number;
  rx: number;
  tx: number;
}

const WINDOW = 60;

function LiveCharts({ id }: { id: string }) {
  const [samples, setSamples] = useState<Sample[]>([]);
  useEffect(() => {
    const source = new EventSource(`/api/v1/containers/${encodeURIComponent(id)}/stats?stream=true`, { withCredentials: true });
    source.addEventListener('stats', (e) => {
      const s = JSON.parse((e as MessageEvent<string>).data) as ContainerStatsEvent;
      setSamples((prev) => [...prev, { cpu: s.cpuPercent ?? 0, memory: s.memory.usage, rx: s.network.rxBytes, tx: s.network.txBytes }].slice(-WINDOW));
    });
    source.addEventListener('end', () => source.close());
    source.addEventListener('error', (e) => {
      if (endSessionIfAccessEnded(e)) source.close();
    });
    return () => source.close();
  }, [id]);
  if (samples.length === 0) return <p className="muted">Waiting for stats…</p>;
  return (
    <div className="charts" data-testid="charts">
      <Sparkline label="CPU" values={samples.map((s) => s.cpu)} format={percent} />
      <Sparkline label="Memory" values={samples.map((s) => s.memory)} format={bytes} />
      <Sparkline label="Network in" values={samples.map((s) => s.rx)} format={bytes} />
      <Sparkline label="Network out" values={samples.map((s) => s.tx)} format={bytes} />
    </div>
  );
}

interface Candidate {
  engine: string;
  id: string;
  name: string;
}

type Loaded = { details: ContainerDetails } | { candidates: Candidate[]; message: string };

/** A bare name on several engines (409 AMBIGUOUS): the engine-qualified candidates to choose from. */
function candidatesOf(err: unknown): Loaded | undefined {
  if (!(err instanceof ApiError) || err.code !== 'AMBIGUOUS') return undefined;
  const candidates = (err.details as { candidates?: Candidate[] } | undefined)?.candidates ?? [];
  return { candidates, message: err.message };
}

function Candidates({ candidates, message }: { candidates: Candidate[]; message: string }) {
  return (
    <section aria-label="Which container?" data-testid="ambiguous">
      <p>{message}</p>
      <ul>
        {candidates.map((c) => (
          <li key={`${c.engine}:${c.id}`}>
            <a href={`#/containers/${encodeURIComponent(containerKey(c))}`}>
              {c.name} on {c.engine}
            </a>{' '}
            <span className="mono muted">{c.id.slice(0, 12)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * One container: details, live charts while it runs, and its logs. `reference` comes from
 * the route: `{engine}:{id}` from the table's links, or whatever was typed (a bare name on
 * several engines lists the candidates). Every call after the first uses `{engine}:{id}`.
 */
export function ContainerPage({ reference, live }: { reference: string; live?: ContainerSummary }) {
  const { value, error } = useFetched(
    async (): Promise<Loaded> => {
      try {
        return { details: unwrap(await api.GET('/api/v1/containers/{id}', { params: { path: { id: reference } } })) };
      } catch (err) {
        const ambiguous = candidatesOf(err);
        if (ambiguous) return ambiguous;
        throw err;
      }
    },
    [reference, live?.state, live?.health, live?.stale],
  );
  if (error) return <p className="error">{error}</p>;
  if (!value) return <p className="muted">Loading…</p>;
  if ('candidates' in value) return <Candidates candidates={value.candidates} message={value.message} />;
  const d = value.details;
  const key = containerKey(d);
  return (
    <section aria-label={`Container ${d.name}`}>
      <h2>
        {d.name} <span className={`pill state-${d.state}`}>{d.state}</span> {d.health !== 'none' && <span className={`pill health-${d.health}`}>{d.health}</span>}
      </h2>
      {d.stale && (
        <p className="error" data-testid="stale">
          Engine {d.engine} is unreachable: this is its last known state{d.lastSeen ? ` (last seen ${clock(d.lastSeen)})` : ''}.
        </p>
      )}
      <dl className="details">
        <dt>Engine</dt>
        <dd data-testid="engine">
          <a href={`#/containers?engine=${encodeURIComponent(d.engine)}`}>{d.engine}</a>
        </dd>
        <dt>Id</dt>
        <dd className="mono">{d.id}</dd>
        <dt>Image</dt>
        <dd className="mono">{d.image}</dd>
        <dt>Status</dt>
        <dd>{d.status}</dd>
        <dt>Group</dt>
        <dd>{d.groups.join(', ') || '–'}</dd>
        <dt>Started</dt>
        <dd>{d.startedAt ?? '–'}</dd>
        <dt>Finished</dt>
        <dd>{d.finishedAt ?? '–'} {d.finishedAt ? `(exit code ${d.exitCode})` : ''}</dd>
        <dt>Ports</dt>
        <dd>{d.ports.map((p) => `${p.hostIp ?? ''}${p.publicPort ? `:${p.publicPort}→` : ''}${p.privatePort}/${p.protocol}`).join(', ') || '–'}</dd>
        <dt>Mounts</dt>
        <dd>{d.mounts.map((m) => `${m.source} → ${m.destination}${m.readWrite ? '' : ' (ro)'}`).join(', ') || '–'}</dd>
        <dt>Restart policy</dt>
        <dd>{d.restartPolicy} (restarted {d.restartCount}×)</dd>
        <dt>Environment</dt>
        <dd className="mono">{d.env.map((e) => (e.value === undefined ? e.name : `${e.name}=${e.value}`)).join(' ') || '–'}</dd>
      </dl>
      {d.state === 'running' && !d.stale && <LiveCharts id={key} />}
      <HistoryChart container={key} />
      <LogViewer containerId={key} name={d.name} />
    </section>
  );
}
