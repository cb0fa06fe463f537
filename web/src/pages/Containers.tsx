import { memo, useCallback, useMemo, useState } from 'react';
import type { ContainerSummary, Usage } from '../api/client';
import { Confirm } from '../components/Confirm';
import { LogSearch } from '../components/LogSearch';
import { bytes, percent } from '../components/format';
import { VirtualRows } from '../components/VirtualRows';
import { containerKey, engineNames, groupNames, visibleRows, type SortKey } from '../state/containers';
import { clock } from '../state/engine-status';
import { containerAction } from '../state/live';
import { useSession } from '../state/session';
import { useUpdates } from '../state/updates';

type Action = 'start' | 'stop' | 'restart';

const NO_USAGE: ReadonlyMap<string, Usage> = new Map();
const NO_ENGINES: readonly string[] = [];

// Only the rows in view are rendered (VirtualRows); memo keeps a stats sample from
// re-rendering a row whose container and usage did not change.
// Links and actions name the container as `{engine}:{id}`: never ambiguous across engines.
const Row = memo(function Row({ c, usage, canAct, busy, onAction, showEngine, update }: { c: ContainerSummary; usage?: Usage; canAct: boolean; busy: boolean; onAction: (c: ContainerSummary, a: Action) => void; showEngine: boolean; update?: boolean }) {
  const running = c.state === 'running';
  // A stale row (its engine is unreachable) shows its last known state, greyed, and takes no action.
  const stale = c.stale === true;
  const held = busy || stale;
  return (
    <>
      <td>
        <a href={`#/containers/${encodeURIComponent(containerKey(c))}`}>{c.name}</a>
      </td>
      {showEngine && <td data-testid="engine-cell">{c.engine}</td>}
      <td>{c.group ?? <span className="muted">–</span>}</td>
      <td className="mono">
        {c.image}
        {update && <span className="pill update-available" title="The registry has a newer image for this tag"> update</span>}
      </td>
      <td>
        <span className={`pill state-${c.state}`}>{c.state}</span>
      </td>
      <td>
        <span className={`pill health-${c.health}`}>{c.health === 'none' ? '–' : c.health}</span>
      </td>
      {stale ? (
        <td className="muted" title={c.lastSeen ? `Engine ${c.engine} unreachable; last seen ${c.lastSeen}` : `Engine ${c.engine} unreachable`} data-testid="stale">
          {c.lastSeen ? `last seen ${clock(c.lastSeen)}` : 'engine unreachable'}
        </td>
      ) : (
        <td className="muted">{c.status}</td>
      )}
      <td className="num">{running && !stale ? percent(usage?.cpuPercent) : '–'}</td>
      <td className="num">{running && !stale ? bytes(usage?.memory.usage) : '–'}</td>
      {canAct && (
        <td className="actions">
          {!running && (
            <button type="button" disabled={held} onClick={() => onAction(c, 'start')}>
              Start
            </button>
          )}
          {running && (
            <button type="button" disabled={held} onClick={() => onAction(c, 'stop')}>
              Stop
            </button>
          )}
          {running && (
            <button type="button" disabled={held} onClick={() => onAction(c, 'restart')}>
              Restart
            </button>
          )}
        </td>
      )}
    </>
  );
});

/**
 * All containers the caller may see, live: search, filter by state, group and engine, sort,
 * act. The engine filter lives in the route (`#/containers?engine=e2`, what the engines page
 * links to): `engine` comes from it and `onEngine` changes it.
 */
export function ContainersPage({
  containers,
  usage,
  knownEngines = NO_ENGINES,
  engine = '',
  onEngine,
}: {
  containers: Map<string, ContainerSummary>;
  usage: Map<string, Usage>;
  knownEngines?: readonly string[];
  engine?: string;
  onEngine: (engine: string) => void;
}) {
  const { can } = useSession();
  const canAct = can('EXECUTE');
  const [query, setQuery] = useState('');
  const [state, setState] = useState('');
  const [group, setGroup] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; asc: boolean }>({ key: 'name', asc: true });
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<{ c: ContainerSummary; a: Action } | null>(null);
  const [message, setMessage] = useState('');
  const updates = useUpdates().byId;

  const all = useMemo(() => [...containers.values()], [containers]);
  const groups = useMemo(() => groupNames(all), [all]);
  const engines = useMemo(() => engineNames(all, knownEngines), [all, knownEngines]);
  // One engine: no engine column or filter (as before engines existed); a filter from the route still applies.
  const showEngine = engines.length > 1 || (engine !== '' && !engines.includes(engine));
  // Usage only orders the rows when sorting by CPU or memory: otherwise a stats sample
  // (many a second at 1,000 containers) does not filter and sort the whole list again.
  const sortUsage = sort.key === 'cpu' || sort.key === 'memory' ? usage : NO_USAGE;
  const rows = useMemo(() => visibleRows(all, sortUsage, { query, state, group, engine, sort }), [all, query, state, group, engine, sort, sortUsage]);

  // Stable (only state setters inside), so the memoised rows are not re-rendered for it.
  const run = useCallback(async (c: ContainerSummary, a: Action) => {
    const key = containerKey(c);
    setBusy((b) => new Set(b).add(key));
    setMessage('');
    try {
      await containerAction(key, a);
    } catch (err) {
      setMessage(`${a} ${c.name}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy((b) => {
        const next = new Set(b);
        next.delete(key);
        return next;
      });
    }
  }, []);
  const onAction = useCallback((c: ContainerSummary, a: Action) => (a === 'start' ? void run(c, a) : setConfirm({ c, a })), [run]);

  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort.key === key ? (sort.asc ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="link" onClick={() => setSort((s) => ({ key, asc: s.key === key ? !s.asc : true }))}>
        {label}
        {sort.key === key ? (sort.asc ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );

  return (
    <section aria-label="Containers">
      <div className="toolbar">
        <input type="search" placeholder="Search name or image" aria-label="Search containers" value={query} onChange={(e) => setQuery(e.target.value)} />
        <select aria-label="Filter by state" value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">All states</option>
          {['running', 'exited', 'created', 'paused', 'restarting', 'dead'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select aria-label="Filter by group" value={group} onChange={(e) => setGroup(e.target.value)}>
          <option value="">All groups</option>
          {groups.map((g) => (
            <option key={g}>{g}</option>
          ))}
        </select>
        {showEngine && (
          <select aria-label="Filter by engine" value={engine} onChange={(e) => onEngine(e.target.value)}>
            <option value="">All engines</option>
            {(engines.includes(engine) || !engine ? engines : [...engines, engine]).map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        )}
        <span className="muted" data-testid="count">
          {rows.length} of {all.length}
        </span>
      </div>
      <details className="log-search-panel">
        <summary>Search the logs of these containers</summary>
        <LogSearch />
      </details>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      <VirtualRows
        label="Containers table"
        rows={rows}
        rowKey={containerKey}
        rowTestId={(c) => `row-${c.name}`}
        rowClass={(c) => (c.stale ? 'stale' : undefined)}
        columns={(canAct ? 9 : 8) + (showEngine ? 1 : 0)}
        header={
          <tr>
            {header('name', 'Name')}
            {showEngine && header('engine', 'Engine')}
            {header('group', 'Group')}
            {header('image', 'Image')}
            {header('state', 'State')}
            {header('health', 'Health')}
            <th>Status</th>
            {header('cpu', 'CPU')}
            {header('memory', 'Memory')}
            {canAct && <th>Actions</th>}
          </tr>
        }
        renderRow={(c) => {
          const key = containerKey(c);
          return <Row c={c} usage={usage.get(key)} canAct={canAct} busy={busy.has(key)} onAction={onAction} showEngine={showEngine} update={updates.get(c.id)?.updateAvailable === true} />;
        }}
      />
      <Confirm
        open={confirm !== null}
        message={confirm ? `${confirm.a === 'stop' ? 'Stop' : 'Restart'} ${confirm.c.name}?` : ''}
        confirmLabel={confirm?.a === 'stop' ? 'Stop' : 'Restart'}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          if (confirm) void run(confirm.c, confirm.a);
          setConfirm(null);
        }}
      />
    </section>
  );
}
