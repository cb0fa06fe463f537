import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client';
import type { Alert, AlertRuleView } from '../state/alerts';
import { useLiveAlerts } from '../state/alerts';

function subjectOf(a: Alert): string {
  return a.container?.name ?? a.group ?? a.engine;
}

/** Silence or un-silence a rule (admins): the panel's rule list. */
function Rules({ onChange }: { onChange: () => void }) {
  const [rules, setRules] = useState<AlertRuleView[]>([]);
  const [error, setError] = useState<string>();
  const load = () => void api.GET('/api/v1/alerts/rules').then((r) => setRules(unwrap(r).rules), (e: Error) => setError(e.message));
  useEffect(load, []);
  const act = async (rule: string, silence: boolean) => {
    try {
      if (silence) unwrap(await api.POST('/api/v1/alerts/rules/{name}/silence', { params: { path: { name: rule } }, body: { duration: '1h' } }));
      else unwrap(await api.DELETE('/api/v1/alerts/rules/{name}/silence', { params: { path: { name: rule } } }));
      load();
      onChange();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-label="Alert rules">
      <h3>Rules</h3>
      {error && <p role="alert">{error}</p>}
      <ul className="alert-rules">
        {rules.map((r) => (
          <li key={r.name}>
            <code>{r.name}</code> <span className="muted">{r.when}</span>{' '}
            {r.silencedUntil ? (
              <button type="button" onClick={() => void act(r.name, false)}>
                Unsilence (until {new Date(r.silencedUntil).toLocaleTimeString()})
              </button>
            ) : (
              <button type="button" onClick={() => void act(r.name, true)}>
                Silence 1h
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Drawn, not an emoji: a system without an emoji font showed an empty box. */
function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false" fill="currentColor" data-testid="bell-icon">
      <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
    </svg>
  );
}

/** The header's bell: how many alerts fire; opens a panel with them and the history; a toast for each new one. */
export function AlertsBell({ isAdmin }: { isAdmin: boolean }) {
  const { active, history, toast, dismiss, reload } = useLiveAlerts();
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!toast) return;
    const timer = window.setTimeout(dismiss, 8000);
    return () => window.clearTimeout(timer);
  }, [toast, dismiss]);
  return (
    <>
      <button type="button" className="alerts-bell" aria-label={`Alerts: ${active.length} firing`} aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="alerts-bell">
        <BellIcon /> {active.length > 0 && <span className="badge">{active.length}</span>}
      </button>
      {open && (
        <div className="alerts-panel" role="dialog" aria-label="Alerts">
          <h3>Firing ({active.length})</h3>
          <ul>
            {active.map((a) => (
              <li key={a.id} className="firing">
                <strong>{a.rule}</strong> {subjectOf(a)}: {a.message} <span className="muted">{new Date(a.firedAt).toLocaleString()}</span>
              </li>
            ))}
          </ul>
          <h3>History</h3>
          <ul>
            {history.map((a) => (
              <li key={a.id} className={a.state}>
                [{a.state}] <strong>{a.rule}</strong> {subjectOf(a)}: {a.message}{' '}
                <span className="muted">
                  {new Date(a.firedAt).toLocaleString()}
                  {a.resolvedAt ? ` → ${new Date(a.resolvedAt).toLocaleString()}` : ''}
                </span>
              </li>
            ))}
          </ul>
          {isAdmin && <Rules onChange={reload} />}
        </div>
      )}
      {toast && (
        <div className="toast" role="status" data-testid="alert-toast">
          <strong>{toast.rule}</strong>: {toast.message}{' '}
          <button type="button" onClick={dismiss} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </>
  );
}
