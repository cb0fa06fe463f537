import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { useUpdates } from '../state/updates';
import { useSession } from '../state/session';

const short = (digest: string | null) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '–');

/** Image updates: the last check of each container, a check now, and (admins) the prune of replaced images. */
export function UpdatesPage() {
  const { isAdmin } = useSession();
  const { byId, lastCheck, check, error } = useUpdates();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const rows = [...byId.values()].sort((a, b) => Number(b.updateAvailable === true) - Number(a.updateAvailable === true) || a.name.localeCompare(b.name));
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };
  const prune = () =>
    run(async () => {
      try {
        const r = unwrap(await api.POST('/api/v1/updates/prune', {}));
        setMessage(`Removed ${r.removed.length} image(s); kept ${r.kept.length}`);
      } catch (err) {
        setMessage(err instanceof Error ? err.message : String(err));
      }
    });
  return (
    <section aria-label="Image updates">
      <div className="toolbar">
        <button type="button" disabled={busy} onClick={() => void run(check)}>
          Check now
        </button>
        {isAdmin && (
          <button type="button" disabled={busy} onClick={() => void prune()}>
            Prune replaced images
          </button>
        )}
        <span className="muted" data-testid="last-check">
          {lastCheck ? `Last check ${new Date(lastCheck).toLocaleString()}` : 'Never checked'}
        </span>
      </div>
      {(error || message) && <p role={error ? 'alert' : 'status'} className={error ? 'error' : 'muted'}>{error || message}</p>}
      <table aria-label="Updates table">
        <thead>
          <tr>
            <th>Container</th>
            <th>Image</th>
            <th>Update</th>
            <th>Running digest</th>
            <th>Registry digest</th>
            <th>Checked</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((u) => (
            <tr key={u.id} data-testid={`update-${u.name}`}>
              <td>
                <a href={`#/containers/${encodeURIComponent(u.name)}`}>{u.name}</a>
              </td>
              <td className="mono">{u.image}</td>
              <td>
                {u.updateAvailable === true ? <span className="pill update-available">update</span> : u.updateAvailable === false ? <span className="muted">current</span> : <span className="muted" title={u.error}>unknown</span>}
              </td>
              <td className="mono">{short(u.currentDigest)}</td>
              <td className="mono">{short(u.latestDigest)}</td>
              <td className="muted">{new Date(u.checkedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">A check asks the registries for each tag's digest and never pulls. Roll updates out per group (POST /api/v1/services/&#123;group&#125;/update) or per container.</p>
    </section>
  );
}
