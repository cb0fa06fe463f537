import { useEffect, useState } from 'react';
import { api, unwrap, type Engine } from '../api/client';

/** How often the engines list is asked for again while the page is visible. */
const REFRESH_MS = 5000;

/**
 * GET /api/v1/engines, kept fresh: again every few seconds while the tab is visible, at
 * once when the tab shows again, and at once when `trigger` changes (an `engine` event of
 * the events stream, or the stream's connection state), so the banner and the engines page
 * follow an engine lost or back without a reload. The answer carries each engine's latest
 * probe (latency, time checked), so an ETag would name a new body every time: the service
 * sends none and this asks plainly.
 */
export function useEngines(trigger: unknown[] = []): { engines: Engine[] | undefined; error: string | undefined; updatedAt: number | undefined } {
  const [engines, setEngines] = useState<Engine[]>();
  const [error, setError] = useState<string>();
  const [updatedAt, setUpdatedAt] = useState<number>();
  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    let inFlight = false;
    // One timer at most: a load asked for while one is in flight is that one (it schedules the next).
    const load = async () => {
      window.clearTimeout(timer);
      if (inFlight) return;
      inFlight = true;
      try {
        if (document.visibilityState === 'visible') {
          const { engines: list } = unwrap(await api.GET('/api/v1/engines'));
          if (live) {
            setEngines(list);
            setError(undefined);
            setUpdatedAt(Date.now());
          }
        }
      } catch (e) {
        if (live) setError(e instanceof Error ? e.message : String(e));
      } finally {
        inFlight = false;
      }
      if (live) timer = window.setTimeout(() => void load(), REFRESH_MS);
    };
    const onVisible = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', onVisible);
    void load();
    return () => {
      live = false;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, trigger);
  return { engines, error, updatedAt };
}
