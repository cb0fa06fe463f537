import { useCallback, useEffect, useState } from 'react';
import { api, unwrap, type UpdateStatus } from '../api/client';

/** The last image update check of each visible container (GET /api/v1/updates), by id; `check` asks the registries now. */
export function useUpdates(): { byId: Map<string, UpdateStatus>; lastCheck: string | null; check: () => Promise<void>; error: string } {
  const [list, setList] = useState<{ updates: UpdateStatus[]; lastCheck: string | null }>({ updates: [], lastCheck: null });
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    api.GET('/api/v1/updates').then(
      (r) => live && setList(unwrap(r)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  const check = useCallback(async () => {
    setError('');
    try {
      await api.POST('/api/v1/updates/check', {}).then(unwrap);
      setList(unwrap(await api.GET('/api/v1/updates')));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  return { byId: new Map(list.updates.map((u) => [u.id, u])), lastCheck: list.lastCheck, check, error };
}
