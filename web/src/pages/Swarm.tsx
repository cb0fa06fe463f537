import { useEffect, useRef, useState } from 'react';
import type { components } from '../../../clients/typescript/src/generated/schema';
import { api, unwrap } from '../api/client';
import { Confirm } from '../components/Confirm';
import { bytes } from '../components/format';
import { useFetched } from '../state/live';
import { useSession } from '../state/session';

type Service = components['schemas']['SwarmService'];
type Node = components['schemas']['SwarmNode'];
type Task = components['schemas']['SwarmTask'];

/** Reloads on every swarm change the server reports (EventSource reconnects by itself), at most every 500 ms. */
function useSwarmChanges(onChange: () => void): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    let timer: number | undefined;
    const source = new EventSource('/api/v1/swarm/events', { withCredentials: true });
    source.addEventListener('swarm', () => {
      if (timer === undefined) timer = window.setTimeout(() => ((timer = undefined), latest.current()), 500);
    });
    return () => {
      source.close();
      window.clearTimeout(timer);
    };
  }, []);
}

const refOf = (s: Service) => `${s.engine}:${s.id}`;

function Tasks({ service, tick }: { service: Service; tick: number }) {
  const { value, error } = useFetched(async () => unwrap(await api.GET('/api/v1/swarm/services/{ref}', { params: { path: { ref: refOf(service) }, query: {} } })).tasks as Task[], [service.id, tick]);
  if (error) return <p className="error">{error}</p>;
  if (!value) return <p className="muted">Loading tasks…</p>;
  return (
    <table aria-label={`Tasks of ${service.name}`}>
      <thead>
        <tr>
          <th>Task</th>
          <th>Slot</th>
          <th>Node</th>
          <th>State</th>
          <th>Desired</th>
          <th>Error</th>
          <th>Container</th>
        </tr>
      </thead>
      <tbody>
        {value.map((t) => (
          <tr key={t.id}>
            <td className="mono">{t.id.slice(0, 12)}</td>
            <td className="num">{t.slot ?? '–'}</td>
            <td>{t.node ?? '–'}</td>
            <td>
              <span className={`pill status-${t.state === 'running' ? 'running' : t.desiredState === 'running' ? 'partial' : 'stopped'}`}>{t.state}</span>
            </td>
            <td>{t.desiredState}</td>
            <td className="error">{t.error ?? ''}</td>
            <td className="mono">{t.containerId?.slice(0, 12) ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ServiceRow({ s, busy, act, tick }: { s: Service; busy: boolean; act: (s: Service, action: 'scale' | 'restart' | 'rollback', replicas?: number) => void; tick: number }) {
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const [replicas, setReplicas] = useState(s.replicas.desired);
  const { desired, running } = s.replicas;
  return (
    <>
      <tr data-testid={`swarm-service-${s.name}`}>
        <td>
          <button type="button" className="link" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            {s.name}
          </button>
        </td>
        <td>{s.stack ?? '–'}</td>
        <td>{s.engine}</td>
        <td>{s.mode}</td>
        <td className="mono">{s.image}</td>
        <td>
          <progress value={running} max={Math.max(desired, 1)} aria-label={`${running} of ${desired} replicas running`} /> {running}/{desired}
        </td>
        <td>{s.updateStatus ? `${s.updateStatus.state}${s.updateStatus.message ? `: ${s.updateStatus.message}` : ''}` : '–'}</td>
        {can('EXECUTE') && (
          <td className="actions">
            {s.mode === 'replicated' && (
              <>
                <input type="number" min={0} max={1000} value={replicas} aria-label={`Replicas of ${s.name}`} onChange={(e) => setReplicas(Number(e.target.value))} />
                <button type="button" disabled={busy} onClick={() => act(s, 'scale', replicas)}>
                  Scale
                </button>
              </>
            )}
            <button type="button" disabled={busy} onClick={() => act(s, 'restart')}>
              Restart
            </button>
            <button type="button" disabled={busy || !s.canRollback} onClick={() => act(s, 'rollback')}>
              Roll back
            </button>
          </td>
        )}
      </tr>
      {open && (
        <tr>
          <td colSpan={8}>
            <Tasks service={s} tick={tick} />
          </td>
        </tr>
      )}
    </>
  );
}

function NodesTable({ nodes, busy, drain }: { nodes: Node[]; busy: boolean; drain: (n: Node, availability: 'drain' | 'activate') => void }) {
  const { can } = useSession();
  return (
    <table aria-label="Swarm nodes">
      <thead>
        <tr>
          <th>Node</th>
          <th>Engine</th>
          <th>Role</th>
          <th>Availability</th>
          <th>State</th>
          <th>Engine version</th>
          <th>CPUs</th>
          <th>Memory</th>
          <th>Tasks</th>
          {can('WRITE') && <th>Actions</th>}
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={`${n.engine}:${n.id}`} data-testid={`swarm-node-${n.hostname}`}>
            <td>
              {n.hostname}
              {n.leader ? ' (leader)' : ''}
            </td>
            <td>{n.engine}</td>
            <td>{n.role}</td>
            <td>{n.availability}</td>
            <td>
              <span className={`pill status-${n.state === 'ready' ? 'running' : 'stopped'}`}>{n.state}</span>
            </td>
            <td>{n.engineVersion ?? '–'}</td>
            <td className="num">{n.nanoCpus ? n.nanoCpus / 1e9 : '–'}</td>
            <td className="num">{bytes(n.memoryBytes)}</td>
            <td className="num">{n.tasks}</td>
            {can('WRITE') && (
              <td className="actions">
                {n.availability === 'drain' ? (
                  <button type="button" disabled={busy} onClick={() => drain(n, 'activate')}>
                    Activate
                  </button>
                ) : (
                  <button type="button" className="danger" disabled={busy} onClick={() => drain(n, 'drain')}>
                    Drain
                  </button>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Swarm services with replica bars and their tasks, and the nodes; kept live from /swarm/events. */
export function SwarmPage() {
  const { can } = useSession();
  const services = useFetched(async () => unwrap(await api.GET('/api/v1/swarm/services', { params: { query: {} } })));
  const nodes = useFetched(async () => unwrap(await api.GET('/api/v1/swarm/nodes', { params: { query: {} } })).nodes);
  const [tick, setTick] = useState(0);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [draining, setDraining] = useState<Node | null>(null);
  useSwarmChanges(() => {
    services.reload();
    nodes.reload();
    setTick((t) => t + 1);
  });

  const run = async (what: string, call: () => Promise<unknown>) => {
    setBusy(true);
    setMessage('');
    try {
      await call();
      setMessage(`${what}: accepted`);
    } catch (err) {
      setMessage(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
      services.reload();
      nodes.reload();
    }
  };
  const act = (s: Service, action: 'scale' | 'restart' | 'rollback', replicas = 0) => {
    const path = { ref: refOf(s) };
    void run(`${action} ${s.name}`, async () => {
      if (action === 'scale') unwrap(await api.POST('/api/v1/swarm/services/{ref}/scale', { params: { path, query: {} }, body: { replicas } }));
      else if (action === 'restart') unwrap(await api.POST('/api/v1/swarm/services/{ref}/restart', { params: { path, query: {} } }));
      else unwrap(await api.POST('/api/v1/swarm/services/{ref}/rollback', { params: { path, query: {} } }));
    });
  };
  const setAvailability = (n: Node, action: 'drain' | 'activate') => {
    const params = { path: { id: `${n.engine}:${n.id}` }, query: {} };
    void run(`${action} ${n.hostname}`, async () => {
      if (action === 'drain') unwrap(await api.POST('/api/v1/swarm/nodes/{id}/drain', { params }));
      else unwrap(await api.POST('/api/v1/swarm/nodes/{id}/activate', { params }));
    });
  };

  if (services.error) return <p className="error">{services.error}</p>;
  if (!services.value) return <p className="muted">Loading…</p>;
  const managers = services.value.engines.filter((e) => e.manager);
  return (
    <section aria-label="Swarm">
      {managers.length === 0 && <p className="muted">No engine is a swarm manager: there are no services or nodes to show.</p>}
      {message && <p role="status">{message}</p>}
      <h2>Services</h2>
      <table aria-label="Swarm services">
        <thead>
          <tr>
            <th>Service</th>
            <th>Stack</th>
            <th>Engine</th>
            <th>Mode</th>
            <th>Image</th>
            <th>Replicas</th>
            <th>Update</th>
            {can('EXECUTE') && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {services.value.services.map((s) => (
            <ServiceRow key={refOf(s)} s={s} busy={busy} act={act} tick={tick} />
          ))}
        </tbody>
      </table>
      <h2>Nodes</h2>
      {nodes.value && <NodesTable nodes={nodes.value} busy={busy} drain={(n, a) => (a === 'drain' ? setDraining(n) : setAvailability(n, a))} />}
      <Confirm
        open={draining !== null}
        message={`Drain ${draining?.hostname ?? ''}? Its tasks move to other nodes, or wait if there are none.`}
        confirmLabel="Drain"
        onCancel={() => setDraining(null)}
        onConfirm={() => {
          if (draining) setAvailability(draining, 'drain');
          setDraining(null);
        }}
      />
    </section>
  );
}
