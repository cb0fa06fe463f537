import { useEffect, useRef, useState } from 'react';
import { api, unwrap, type ContainerSummary, type SnapshotEvent, type StatsSetEvent, type Usage } from '../api/client';
import { applyChange, connectionAfterError, connectionAfterOpen, tableFromSnapshot, usageFromSample, type Connection, type ContainerChange } from './containers';
import { endSessionIfAccessEnded } from './session-end';

export type { Connection } from './containers';

/**
 * The container list kept live from /api/v1/events (snapshot first, then changes): no
 * page polling. EventSource reconnects by itself; after an engine outage the service ends
 * the stream with an error event and we reopen it once /ready says so.
 */
export function useLiveContainers(): { containers: Map<string, ContainerSummary>; connection: Connection } {
  const [containers, setContainers] = useState<Map<string, ContainerSummary>>(new Map());
  const [connection, setConnection] = useState<Connection>('connecting');
  useEffect(() => {
    let source: EventSource | undefined;
    let retry: number | undefined;
    let closed = false;
    const open = () => {
      source = new EventSource('/api/v1/events?snapshot=true', { withCredentials: true });
      source.addEventListener('snapshot', (e) => {
        const { containers: list } = JSON.parse((e as MessageEvent<string>).data) as SnapshotEvent;
        setContainers(tableFromSnapshot(list));
        setConnection('live');
      });
      source.addEventListener('container', (e) => {
        const change = JSON.parse((e as MessageEvent<string>).data) as ContainerChange;
        setContainers((prev) => applyChange(prev, change));
      });
      source.addEventListener('resync', () => {
        source?.close();
        open();
      });
      source.addEventListener('error', (e) => {
        if (endSessionIfAccessEnded(e)) {
          source?.close();
          return;
        }
        const data = (e as MessageEvent<string>).data;
        setConnection((c) => connectionAfterError(c, Boolean(data)));
        // The service ended the stream (engine gone): wait for /ready, then reopen.
        if (data || source?.readyState === EventSource.CLOSED) {
          source?.close();
          retry = window.setTimeout(waitReady, 2000);
        }
      });
      source.addEventListener('open', () => setConnection(connectionAfterOpen));
    };
    const waitReady = async () => {
      if (closed) return;
      const ok = await fetch('/ready').then((r) => r.ok, () => false);
      if (ok) open();
      else retry = window.setTimeout(waitReady, 2000);
    };
    open();
    return () => {
      closed = true;
      window.clearTimeout(retry);
      source?.close();
    };
  }, []);
  return { containers, connection };
}

/** Live usage of every running container the caller sees, one shared sample per second. */
export function useLiveStats(enabled = true): Map<string, Usage> {
  const [usage, setUsage] = useState<Map<string, Usage>>(new Map());
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/v1/stats?stream=true', { withCredentials: true });
    source.addEventListener('error', (e) => {
      if (endSessionIfAccessEnded(e)) source.close();
    });
    source.addEventListener('stats', (e) => {
      const set = JSON.parse((e as MessageEvent<string>).data) as StatsSetEvent;
      setUsage(usageFromSample(set.containers));
    });
    return () => source.close();
  }, [enabled]);
  return usage;
}

/** A value fetched once (and again when `key` changes). */
export function useFetched<T>(load: () => Promise<T>, key: unknown[] = []): { value: T | undefined; error: string | undefined; reload: () => void } {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let live = true;
    loader.current().then(
      (v) => live && (setValue(v), setError(undefined)),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [tick, ...key]);
  return { value, error, reload: () => setTick((t) => t + 1) };
}

export async function containerAction(id: string, action: 'start' | 'stop' | 'restart'): Promise<void> {
  const params = { path: { id } };
  if (action === 'start') unwrap(await api.POST('/api/v1/containers/{id}/start', { params }));
  else if (action === 'stop') unwrap(await api.POST('/api/v1/containers/{id}/stop', { params: { ...params, query: {} } }));
  else unwrap(await api.POST('/api/v1/containers/{id}/restart', { params: { ...params, query: {} } }));
}
