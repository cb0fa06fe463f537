import { summarize } from '../lib/percentiles.js';
import { SseReader, type SseEvent } from '../lib/sse-reader.js';
import { below, row, type Row } from '../lib/table.js';
import { sleep, type BenchContext } from './context.js';

const POLL_MS = 5;
const WAIT_MS = 10_000;

interface ContainerEvent {
  id: string;
  container?: { state: string };
}

function isExitOf(id: string) {
  return (e: SseEvent) => {
    if (e.event !== 'container') return false;
    const change = JSON.parse(e.data) as ContainerEvent;
    return change.id === id && change.container?.state === 'exited';
  };
}

/** Polls ours every POLL_MS (start to start) until the container shows `exited`; resolves to when it did. */
async function pollUntilExited(ctx: BenchContext, id: string): Promise<number> {
  const deadline = performance.now() + WAIT_MS;
  while (performance.now() < deadline) {
    const started = performance.now();
    const details = await ctx.ours.json<{ state: string }>('GET', `/api/v1/containers/${id}`);
    if (details.state === 'exited') return performance.now();
    await sleep(Math.max(0, POLL_MS - (performance.now() - started)));
  }
  throw new Error(`our API did not show ${id.slice(0, 12)} as exited within ${WAIT_MS} ms`);
}

/**
 * How fast an outside change shows in our API: stops S running bench containers one after
 * another through the engine's API (t=0), and times from the moment the stop call returns
 * until (a) `GET /api/v1/containers/{id}` says exited, (b) `/api/v1/events` delivered the
 * matching `container` event. An event that came before the stop call returned counts as 0.
 * Leaves those containers stopped, so it runs last.
 */
export async function propagationScenario(ctx: BenchContext): Promise<{ rows: Row[]; earlyEvents: number }> {
  const { engine, service, fixture, settings, log } = ctx;
  const targets = fixture.running.slice(0, settings.stops);
  log(`propagation: stopping ${targets.length} running containers one after another`);
  const reader = await SseReader.open('127.0.0.1', service.port, '/api/v1/events', ctx.auth);
  const poll: number[] = [];
  const sse: number[] = [];
  const stopCalls: number[] = [];
  let earlyEvents = 0;
  try {
    await reader.waitFor((e) => e.event === 'ready', 5_000);
    for (const target of targets) {
      const from = reader.events.length;
      const issued = performance.now();
      await engine.expect('POST', `/containers/${target.id}/stop?t=0`, [204, 304]);
      const returned = performance.now();
      target.running = false;
      stopCalls.push(returned - issued);
      const event = reader.waitFor(isExitOf(target.id), WAIT_MS, from);
      poll.push((await pollUntilExited(ctx, target.id)) - returned);
      const { at } = await event;
      if (at < returned) earlyEvents++;
      sse.push(Math.max(0, at - returned));
    }
  } finally {
    reader.close();
  }
  const p = summarize(poll);
  const s = summarize(sse);
  const k = targets.length;
  return {
    earlyEvents,
    rows: [
      row(`stop -> GET shows exited (poll ${POLL_MS} ms), p50 of ${k}`, 'ms', p.p50, null, below(500, 'ms')),
      row(`stop -> GET shows exited (poll ${POLL_MS} ms), max`, 'ms', p.max, null, below(500, 'ms')),
      row(`stop -> /api/v1/events delivers it, p50 of ${k}`, 'ms', s.p50, null, below(500, 'ms')),
      row('stop -> /api/v1/events delivers it, max', 'ms', s.max, null, below(500, 'ms')),
      row('engine stop call (t=0) itself, p50 (reference)', 'ms', null, summarize(stopCalls).p50),
    ],
  };
}
