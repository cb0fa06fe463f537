import { useState, type FormEvent } from 'react';
import { api, unwrap, type User } from '../api/client';
import { useFetched } from '../state/live';

type Role = 'user' | 'developer' | 'admin';

function UserRow({ u, onChange }: { u: User; onChange: () => void }) {
  const [error, setError] = useState('');
  const patch = async (body: { role?: Role; disabled?: boolean; groups?: string[] | null }) => {
    setError('');
    try {
      unwrap(await api.PATCH('/api/v1/users/{userId}', { params: { path: { userId: u.id } }, body }));
      onChange();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <tr>
      <td>{u.username}</td>
      <td>
        <select aria-label={`Role of ${u.username}`} value={u.role} onChange={(e) => void patch({ role: e.target.value as Role })}>
          <option>user</option>
          <option>developer</option>
          <option>admin</option>
        </select>
      </td>
      <td>
        <input
          aria-label={`Groups of ${u.username}`}
          defaultValue={u.groups?.join(',') ?? ''}
          placeholder="role default"
          onBlur={(e) => {
            const v = e.target.value.trim();
            if (v !== (u.groups?.join(',') ?? '')) void patch({ groups: v ? v.split(',').map((g) => g.trim()) : null });
          }}
        />
      </td>
      <td>
        <button type="button" onClick={() => void patch({ disabled: !u.disabled })}>
          {u.disabled ? 'Enable' : 'Disable'}
        </button>
        {error && <span className="error"> {error}</span>}
      </td>
    </tr>
  );
}

function Users() {
  const { value, error, reload } = useFetched(async () => unwrap(await api.GET('/api/v1/users')).users);
  const [form, setForm] = useState({ username: '', password: '', role: 'user' as Role, groups: '' });
  const [message, setMessage] = useState('');
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setMessage('');
    try {
      const groups = form.groups.trim() ? form.groups.split(',').map((g) => g.trim()) : null;
      unwrap(await api.POST('/api/v1/users', { body: { username: form.username, password: form.password, role: form.role, groups } }));
      setForm({ username: '', password: '', role: 'user', groups: '' });
      reload();
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    }
  };
  if (error) return <p className="error">{error}</p>;
  return (
    <section aria-label="Users">
      <h2>Users</h2>
      <table>
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Groups</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>{value?.map((u) => <UserRow key={u.id} u={u} onChange={reload} />)}</tbody>
      </table>
      <form className="row" onSubmit={(e) => void create(e)} aria-label="Create user">
        <input required placeholder="user name" aria-label="New user name" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
        <input required type="password" minLength={12} placeholder="password (12+)" aria-label="New user password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        <select aria-label="New user role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          <option>user</option>
          <option>developer</option>
          <option>admin</option>
        </select>
        <input placeholder="groups (a,b)" aria-label="New user groups" value={form.groups} onChange={(e) => setForm({ ...form, groups: e.target.value })} />
        <button type="submit">Create</button>
        {message && <span className="error">{message}</span>}
      </form>
    </section>
  );
}

function Audit() {
  const [filters, setFilters] = useState({ actor: '', outcome: '' });
  const { value, error } = useFetched(
    async () =>
      unwrap(
        await api.GET('/api/v1/audit', {
          params: { query: { limit: 100, ...(filters.actor ? { actor: filters.actor } : {}), ...(filters.outcome ? { outcome: filters.outcome as 'allowed' } : {}) } },
        }),
      ),
    [filters.actor, filters.outcome],
  );
  return (
    <section aria-label="Audit log">
      <h2>Audit log</h2>
      <div className="toolbar">
        <input placeholder="actor" aria-label="Filter audit by actor" value={filters.actor} onChange={(e) => setFilters({ ...filters, actor: e.target.value })} />
        <select aria-label="Filter audit by outcome" value={filters.outcome} onChange={(e) => setFilters({ ...filters, outcome: e.target.value })}>
          <option value="">all outcomes</option>
          <option>allowed</option>
          <option>denied</option>
          <option>failed</option>
        </select>
      </div>
      {error && <p className="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Actor</th>
            <th>Role</th>
            <th>Action</th>
            <th>Target</th>
            <th>Outcome</th>
            <th>Status</th>
            <th>IP</th>
          </tr>
        </thead>
        <tbody>
          {value?.entries.map((e) => (
            <tr key={e.id}>
              <td className="mono">{e.time}</td>
              <td>{e.actor}</td>
              <td>{e.role ?? '–'}</td>
              <td className="mono">{e.action}</td>
              <td>{e.target ?? '–'}</td>
              <td>
                <span className={`pill outcome-${e.outcome}`}>{e.outcome}</span>
              </td>
              <td className="num">{e.status}</td>
              <td className="mono">{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AdminPage() {
  return (
    <>
      <Users />
      <Audit />
    </>
  );
}
