import { useEffect, useRef, useState } from 'react';
import { api, unwrap, type ContainerSummary, type SnapshotEvent, type Usage } from '../api/client';
import { applyPending, emptyPending, frameBatch, queueChange, queueSnapshot, type FrameScheduler, type PendingChanges } from './batch';
import { connectionAfterError, connectionAfterOpen, connectionAfterReady, usageFromSample, type Connection, type ContainerChange, type ReadyAnswer } from './containers';
import { endSessionIfAccessEnded } from './session-end';

export type { Connection } from './containers';

/** Batches flush when the browser is about to paint: one table and one render per frame. */
const animationFrames: FrameScheduler = {
  request: (cb) => window.requestAnimationFrame(cb),
  cancel: (handle) => window.cancelAnimationFrame(handle),
};

/**
 * The container list kept live from /api/v1/events (snapshot first, then changes): no
 * page polling. EventSource reconnects by itself; after an engine outage the service ends
 * the stream with an error event and we reopen it once /ready says so.
 */
export function useLiveContainers(): { containers: Map<string, ContainerSummary>; connection: Connection; engineChanges: number } {
  const [containers, setContainers] = useState<Map<string, ContainerSummary>>(new Map());
  const [connection, setConnection] = useState<Connection>('connecting');
  // Counts `engine` events (one of several engines lost or back): the engines list refetches on it.
  const [engineChanges, setEngineChanges] = useState(0);
  useEffect(() => {
    let source: EventSource | undefined;
    let retry: number | undefined;
    let closed = false;
    // Events are folded into one pending batch and applied once per animation frame.
    const batch = frameBatch<PendingChanges, { snapshot: ContainerSummary[] } | { change: ContainerChange }>(
      animationFrames,
      emptyPending,
      (pending, item) => ('snapshot' in item ? queueSnapshot(pending, item.snapshot) : queueChange(pending, item.change)),
      (pending) => {
        setContainers((prev) => applyPending(prev, pending));
        if (pending.snapshot) setConnection('live');
      },
    );
    const open = () => {
      source = new EventSource('/api/v1/events?snapshot=true', { withCredentials: true });
      source.addEventListener('snapshot', (e) => {
        const { containers: list } = JSON.parse((e as MessageEvent<string>).data) as SnapshotEvent;
        batch.push({ snapshot: list });
      });
      source.addEventListener('container', (e) => {
        batch.push({ change: JSON.parse((e as MessageEvent<string>).data) as ContainerChange });
      });
      source.addEventListener('resync', () => {
        source?.close();
        open();
      });
      // With several engines, one lost or back is an `engine` event and the stream goes on;
      // its containers' stale marks change without container events, so a fresh snapshot
      // (a reopened stream) shows them greyed, or live again.
      source.addEventListener('engine', () => {
        setEngineChanges((n) => n + 1);
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
        if (data) {
          // The service ended the stream (engine gone): wait for /ready, then reopen.
          source?.close();
          retry = window.setTimeout(waitReady, 2000);
        } else if (source?.readyState === EventSource.CLOSED) {
          // Refused at open (EventSource does not retry that): /ready says at once whether
          // the service or only its engine is out of reach (the engine may have gone before
          // this stream opened, so no error event told it).
          source?.close();
          void askReady();
          retry = window.setTimeout(waitReady, 2000);
        }
      });
      source.addEventListener('open', () => setConnection(connectionAfterOpen));
    };
    const askReady = async (): Promise<ReadyAnswer> => {
      const ready = await fetch('/ready').then<ReadyAnswer, ReadyAnswer>(
        (r) => (r.ok ? 'ready' : 'not-ready'),
        () => 'no-answer',
      );
      if (!closed) setConnection((c) => connectionAfterReady(c, ready));
      return ready;
    };
    const waitReady = async () => {
      if (closed) return;
      const ready = await askReady();
      if (closed) return;
      if (ready === 'ready') open();
      else retry = window.setTimeout(waitReady, 2000);
    };
    open();
    return () => {
      closed = true;
      batch.dispose();
      window.clearTimeout(retry);
      source?.close();
    };
  }, []);
  return { containers, connection, engineChanges };
}

/** Live usage of every running container the caller sees, one shared sample per second. */
export function useLiveStats(enabled = true): Map<string, Usage> {
  const [usage, setUsage] = useState<Map<string, Usage>>(new Map());
  useEffect(() => {
    if (!enabled) return;
    // Each sample replaces the last, so a frame needs only the newest: the raw text is kept
    // and parsed once per frame; samples overtaken before the frame are never parsed.
    const batch = frameBatch<{ raw?: string }, string>(
      animationFrames,
      () => ({}),
      (latest, raw) => (latest.raw = raw),
      ({ raw }) => {
        if (raw === undefined) return;
        const set = JSON.parse(raw) as { containers: Usage[] };
        setUsage(usageFromSample(set.containers));
      },
    );
    const source = new EventSource('/api/v1/stats?stream=true', { withCredentials: true });
    source.addEventListener('error', (e) => {
      if (endSessionIfAccessEnded(e)) source.close();
    });
    source.addEventListener('stats', (e) => batch.push((e as MessageEvent<string>).data));
    return () => {
      batch.dispose();
      source.close();
    };
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

/** `ref`: the engine-qualified `{engine}:{id}` (containerKey), never ambiguous across engines. */
export async function containerAction(ref: string, action: 'start' | 'stop' | 'restart'): Promise<void> {
  const params = { path: { id: ref } };
  if (action === 'start') unwrap(await api.POST('/api/v1/containers/{id}/start', { params }));
  else if (action === 'stop') unwrap(await api.POST('/api/v1/containers/{id}/stop', { params: { ...params, query: {} } }));
  else unwrap(await api.POST('/api/v1/containers/{id}/restart', { params: { ...params, query: {} } }));
}
