import { api, unwrap } from '../api/client';
import { useFetched } from '../state/live';

/**
 * One group's members in start order, each with its state and health, and its engine when
 * the service has several (a group may span engines; the same name can run on two, and the
 * member is the one on its engine). Links name the container as `{engine}:{id}`.
 */
export function GroupMembers({ group, showEngine }: { group: string; showEngine: boolean }) {
  const { value, error } = useFetched(async () => unwrap(await api.GET('/api/v1/services/{group}', { params: { path: { group } } })), [group]);
  if (error) return <p className="error">{error}</p>;
  if (!value) return <p className="muted">Loading…</p>;
  if (value.memberList.length === 0) return <p className="muted">No members.</p>;
  return (
    <table aria-label={`Members of ${group}`}>
      <thead>
        <tr>
          <th>Step</th>
          <th>Name</th>
          {showEngine && <th>Engine</th>}
          <th>State</th>
          <th>Health</th>
        </tr>
      </thead>
      <tbody>
        {value.memberList.map((m) => (
          <tr key={`${m.engine}:${m.id}`}>
            <td className="num">{m.step}</td>
            <td>
              <a href={`#/containers/${encodeURIComponent(`${m.engine}:${m.id}`)}`}>{m.name}</a>
            </td>
            {showEngine && <td data-testid="member-engine">{m.engine}</td>}
            <td>
              <span className={`pill status-${m.state}`}>{m.state}</span>
            </td>
            <td>{m.health}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
