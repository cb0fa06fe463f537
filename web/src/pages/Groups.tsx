import { useState } from 'react';
import { api, unwrap, type GroupProgressEvent, type GroupStreamMessage, type GroupSummary } from '../api/client';
import { postStream } from '../api/sse';
import { bytes, percent } from '../components/format';
import { GroupMembers } from '../components/GroupMembers';
import { HistoryChart } from '../components/HistoryChart';
import { LogSearch } from '../components/LogSearch';
import { swarmMemberLabel, swarmMemberUp } from '../state/group-swarm';
import { useFetched } from '../state/live';
import { useSession } from '../state/session';

type Progress = GroupProgressEvent;

/** Columns by dependency depth: a tier sits right of the tiers it needs. */
function layers(groups: GroupSummary[]): GroupSummary[][] {
  const depth = new Map<string, number>();
  const byName = new Map(groups.map((g) => [g.name, g]));
  const of = (g: GroupSummary, seen = new Set<string>()): number => {
    if (depth.has(g.name)) return depth.get(g.name) as number;
    if (seen.has(g.name)) return 0;
    seen.add(g.name);
    const d = Math.max(-1, ...g.dependsOn.map((n) => (byName.get(n) ? of(byName.get(n) as GroupSummary, seen) : -1))) + 1;
    depth.set(g.name, d);
    return d;
  };
  const out: GroupSummary[][] = [];
  for (const g of groups) (out[of(g)] ??= []).push(g);
  return out.filter(Boolean);
}

const NO_ENGINES: readonly string[] = [];

/**
 * The tiers as a picture of their dependencies, with status, totals and start/stop. With
 * several engines (`knownEngines` from /engines, or groups whose members run on different
 * ones) each tier names the engines its members run on, and its member list their engine.
 */
export function GroupsPage({ knownEngines = NO_ENGINES }: { knownEngines?: readonly string[] }) {
  const { can } = useSession();
  const { value, error, reload } = useFetched(async () => unwrap(await api.GET('/api/v1/services')).groups);
  const [log, setLog] = useState<Progress[]>([]);
  const [running, setRunning] = useState<string | null>(null);
  const [result, setResult] = useState('');
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  const [searched, setSearched] = useState('');
  const [membersOf, setMembersOf] = useState<string | null>(null);

  const act = async (group: string, action: 'start' | 'stop') => {
    setRunning(group);
    setLog([]);
    setResult('');
    try {
      await postStream<GroupStreamMessage>(`/api/v1/services/${encodeURIComponent(group)}/${action}?withDependencies=true`, undefined, (m) => {
        if (m.event === 'progress') setLog((l) => [...l, m.data]);
        if (m.event === 'result') {
          const r = m.data;
          setResult(
            r.ok
              ? `${action} of ${group} done in ${(r.durationMs / 1000).toFixed(1)} s`
              : r.cancelled
                ? `${action} of ${group} cancelled by ${r.cancelled.by}`
                : `${action} of ${group} stopped: ${r.failure?.reason ?? 'failed'}`,
          );
        }
      });
    } catch (err) {
      setResult(err instanceof Error ? err.message : String(err));
    } finally {
      setRunning(null);
      reload();
    }
  };

  if (error) return <p className="error">{error}</p>;
  if (!value) return <p className="muted">Loading…</p>;
  const showEngine = new Set([...knownEngines, ...value.flatMap((g) => g.engines)]).size > 1;
  return (
    <section aria-label="Service groups">
      <div className="tiers">
        {layers(value).map((layer, i) => (
          <div className="tier-column" key={i}>
            {layer.map((g) => (
              <article key={g.name} className={`tier tier-${g.status}`} data-testid={`group-${g.name}`} aria-label={`Group ${g.name}`}>
                <h3>{g.name}</h3>
                <p className="muted">{g.description}</p>
                <p>
                  <span className={`pill status-${g.status}`}>{g.status}</span> {g.members.running}/{g.members.total} running
                  {g.members.unhealthy > 0 && `, ${g.members.unhealthy} unhealthy`}
                </p>
                <p className="muted">
                  CPU {percent(g.usage.cpuPercent)} · {bytes(g.usage.memoryUsage)}
                </p>
                {g.swarmServices.length > 0 && (
                  <ul className="swarm-members" aria-label={`Swarm services of ${g.name}`}>
                    {g.swarmServices.map((s) => (
                      <li key={`${s.engine}/${s.id}`} className={swarmMemberUp(s) ? 'status-running' : 'status-stopped'}>
                        {swarmMemberLabel(s)}
                      </li>
                    ))}
                  </ul>
                )}
                {g.dependsOn.length > 0 && <p className="muted">needs {g.dependsOn.join(', ')}</p>}
                {showEngine && g.engines.length > 0 && (
                  <p className="muted" data-testid="group-engines">
                    {g.engines.length === 1 ? 'engine' : 'engines'} {g.engines.join(', ')}
                  </p>
                )}
                <button type="button" aria-pressed={membersOf === g.name} onClick={() => setMembersOf(membersOf === g.name ? null : g.name)}>
                  Members
                </button>
                <button type="button" aria-pressed={historyOf === g.name} onClick={() => setHistoryOf(historyOf === g.name ? null : g.name)}>
                  History
                </button>
                <button type="button" className="link" onClick={() => setSearched(g.name)}>
                  Search logs
                </button>
                {can('EXECUTE') && (
                  <div className="row">
                    <button type="button" disabled={running !== null} onClick={() => void act(g.name, 'start')}>
                      Start with dependencies
                    </button>
                    <button type="button" disabled={running !== null} onClick={() => void act(g.name, 'stop')}>
                      Stop
                    </button>
                  </div>
                )}
              </article>
            ))}
          </div>
        ))}
      </div>
      {membersOf && (
        <section aria-label={`Members of ${membersOf}`}>
          <h3>{membersOf}</h3>
          <GroupMembers key={membersOf} group={membersOf} showEngine={showEngine} />
        </section>
      )}
      {historyOf && (
        <section aria-label={`History of ${historyOf}`}>
          <h3>{historyOf}</h3>
          <HistoryChart group={historyOf} />
        </section>
      )}
      {searched && <LogSearch key={searched} group={searched} title={`Search the logs of ${searched}`} />}
      {(log.length > 0 || result) && (
        <section className="progress" aria-label="Progress" data-testid="progress">
          <h3>Progress</h3>
          <ol>
            {log
              .filter((p) => p.type !== 'group' || p.phase === 'begin')
              .map((p, i) => (
                <li key={i} className={p.type === 'container' && p.outcome === 'failed' ? 'error' : ''}>
                  {p.type === 'group' && <strong>{p.group}</strong>}
                  {p.type === 'step' && `step ${p.step}: ${p.containers.join(', ')}`}
                  {p.type === 'container' && `${memberLabel(p, showEngine)}: ${p.outcome} in ${p.durationMs} ms${p.error ? ` — ${p.error}` : ''}`}
                </li>
              ))}
          </ol>
          {result && <p data-testid="group-result">{result}</p>}
        </section>
      )}
    </section>
  );
}

/** A member in the progress: with several engines, where it runs (a swarm service's name already says it). */
function memberLabel(p: { engine: string; name: string }, showEngine: boolean): string {
  return showEngine && !p.name.startsWith(`${p.engine}:`) ? `${p.name} on ${p.engine}` : p.name;
}
