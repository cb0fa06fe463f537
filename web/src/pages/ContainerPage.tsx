import { useEffect, useState } from 'react';
import { api, unwrap, type ContainerStatsEvent, type ContainerSummary } from '../api/client';
import { bytes, percent } from '../components/format';
import { HistoryChart } from '../components/HistoryChart';
import { LogViewer } from '../components/LogViewer';
import { Sparkline } from '../components/Sparkline';
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

/** One container: details, live charts while it runs, and its logs. */
export function ContainerPage({ name, live }: { name: string; live?: ContainerSummary }) {
  const { value: d, error } = useFetched(async () => unwrap(await api.GET('/api/v1/containers/{id}', { params: { path: { id: name } } })), [name, live?.state, live?.health]);
  if (error) return <p className="error">{error}</p>;
  if (!d) return <p className="muted">Loading…</p>;
  return (
    <section aria-label={`Container ${d.name}`}>
      <h2>
        {d.name} <span className={`pill state-${d.state}`}>{d.state}</span> {d.health !== 'none' && <span className={`pill health-${d.health}`}>{d.health}</span>}
      </h2>
      <dl className="details">
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
      {d.state === 'running' && <LiveCharts id={d.id} />}
      <HistoryChart container={d.id} />
      <LogViewer containerId={d.id} name={d.name} />
    </section>
  );
}
