import { useCallback, useEffect, useState } from 'react';
import { api, unwrap } from '../api/client';
import type { components } from '../../../clients/typescript/src/generated/schema';
import { endSessionIfAccessEnded } from './session-end';

export type Alert = components['schemas']['Alert'];
export type AlertRuleView = components['schemas']['AlertRuleView'];

/**
 * The alerts the caller may see, kept live from /api/v1/alerts/stream: the firing ones (the
 * bell's count), the latest history (the panel), and each newly firing alert for a toast.
 */
export function useLiveAlerts(): { active: Alert[]; history: Alert[]; toast: Alert | undefined; dismiss: () => void; reload: () => void } {
  const [active, setActive] = useState<Alert[]>([]);
  const [history, setHistory] = useState<Alert[]>([]);
  const [toast, setToast] = useState<Alert | undefined>();
  const reload = useCallback(() => {
    void api.GET('/api/v1/alerts', { params: { query: { limit: 50 } } }).then((r) => setHistory(unwrap(r).alerts), () => undefined);
  }, []);
  useEffect(() => {
    const source = new EventSource('/api/v1/alerts/stream', { withCredentials: true });
    source.addEventListener('ready', (e) => {
      setActive((JSON.parse((e as MessageEvent<string>).data) as { active: Alert[] }).active);
      reload();
    });
    source.addEventListener('alert', (e) => {
      const alert = JSON.parse((e as MessageEvent<string>).data) as Alert;
      setActive((list) => (alert.state === 'firing' ? [alert, ...list.filter((a) => a.id !== alert.id)] : list.filter((a) => a.id !== alert.id)));
      setHistory((list) => [alert, ...list.filter((a) => a.id !== alert.id)].slice(0, 50));
      if (alert.state === 'firing') setToast(alert);
    });
    source.addEventListener('error', (e) => {
      if (endSessionIfAccessEnded(e)) source.close();
    });
    return () => source.close();
  }, [reload]);
  return { active, history, toast, dismiss: () => setToast(undefined), reload };
}
