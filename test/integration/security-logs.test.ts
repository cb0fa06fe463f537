import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listenTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';
import { privateGroups } from '../helpers/private-groups.js';
import { LOG_LINE_MAX_BYTES } from '../../src/docker/log-frames.js';

/**
 * Audit issue 18 item 3: a container writing tens of MB without a newline must not stall
 * the service or grow its memory. Lines are capped (and say so), the service answers
 * /live quickly meanwhile, and the process's memory stays bounded.
 */
const fixture = new Fixture();
const groups = privateGroups(fixture.runId, ['logs']);
const LINE_BYTES = 50_000_000;
const MARKER = 'done-marker';
let writer: { id: string; name: string };

before(async () => {
  await requireEngine();
  writer = await fixture.run({
    labels: { 'gdm.group': groups.group('logs') },
    // One 50 MB line, its newline, then a marker line that tells the reader it got everything.
    command: ['sh', '-c', `head -c ${LINE_BYTES} /dev/zero | tr '\\0' a; echo; echo ${MARKER}; sleep 3600`],
    stopSignalFast: true,
  });
});
after(async () => {
  await fixture.cleanup();
  groups.remove();
});

interface Probe {
  stop(): Promise<{ maxLiveMs: number; samples: number; rssGrowthMb: number }>;
}

/** Asks /live over and over while a test runs, and samples the process's RSS. */
function probe(base: string): Probe {
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let running = true;
  const latencies: number[] = [];
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${base}/live`);
      await res.text();
      latencies.push(performance.now() - started);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      await new Promise((r) => setTimeout(r, 25)); // timer-ok: pacing of the /live probe (the thing measured), not a wait for state
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      return { maxLiveMs: Math.max(...latencies), samples: latencies.length, rssGrowthMb: (rssPeak - rssBefore) / 1024 / 1024 };
    },
  };
}

/** Reads an SSE response with fetch, yielding events as they come, keeping nothing else. */
async function* sseEvents(res: Response): AsyncGenerator<{ event: string; data: unknown }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) yield { event, data: JSON.parse(data.join('\n')) as unknown };
    }
  }
}

interface Line {
  stream: string;
  text: string;
  truncated?: boolean;
}

function checkLines(lines: Line[], what: string): void {
  assert.ok(lines.length >= 2, `${what}: got ${lines.length} lines`);
  const long = lines[0] as Line;
  assert.equal(long.truncated, true, `${what}: the over-long line says it was truncated`);
  assert.equal(long.text.length, LOG_LINE_MAX_BYTES, `${what}: the over-long line is cut at the cap`);
  assert.ok(/^a+$/.test(long.text), `${what}: the cut line holds the line's start`);
  for (const l of lines) assert.ok(l.text.length <= LOG_LINE_MAX_BYTES, `${what}: no line over the cap`);
  assert.deepEqual(lines.at(-1), { stream: 'stdout', text: MARKER }, `${what}: the line after the long one arrives whole and unmarked`);
  assert.equal(lines.filter((l) => l.truncated).length, 1, `${what}: the rest of the long line is dropped, not cut into more lines`);
}

describe('a container writing 50 MB without a newline', () => {
  test('follow as a user: the line is capped and marked, /live stays quick, memory stays bounded', { timeout: 180_000 }, async (t) => {
    const { app, base } = await listenTestApp(t, groups.env);
    const user = `Bearer ${await app.tokenFor('user', { groups: [groups.group('logs')] })}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 150_000); // timer-ok: a bound on the follow stream, not a wait
    t.after(() => clearTimeout(timer));
    const watch = probe(base);
    const res = await fetch(`${base}/api/v1/containers/${writer.id}/logs?follow=true&tail=10000`, {
      headers: { authorization: user, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    assert.equal(res.status, 200);
    const lines: Line[] = [];
    for await (const e of sseEvents(res)) {
      if (e.event !== 'log') continue;
      lines.push(e.data as Line);
      if ((e.data as Line).text === MARKER) break;
    }
    abort.abort();
    const { maxLiveMs, samples, rssGrowthMb } = await watch.stop();
    console.log(`follow of a ${LINE_BYTES / 1e6} MB line: /live max ${maxLiveMs.toFixed(0)} ms over ${samples} probes, RSS growth ${rssGrowthMb.toFixed(0)} MB`);
    checkLines(lines, 'follow');
    assert.ok(maxLiveMs < 500, `/live took up to ${maxLiveMs} ms`);
    assert.ok(rssGrowthMb < 200, `RSS grew by ${rssGrowthMb} MB`);
  });

  test('a non-follow read as a user: capped, marked, answered without buffering the log', { timeout: 180_000 }, async (t) => {
    const { app, base } = await listenTestApp(t, groups.env);
    const user = `Bearer ${await app.tokenFor('user', { groups: [groups.group('logs')] })}`;
    // The writer is done once the marker is the last line of its log (as the docker CLI reads it).
    assert.equal(await waitFor(() => docker('logs', '--tail', '1', writer.name), (last) => last === MARKER, 120_000), MARKER);
    const watch = probe(base);
    const res = await fetch(`${base}/api/v1/containers/${writer.id}/logs?tail=10000`, { headers: { authorization: user } });
    const body = (await res.json()) as { lines: Line[]; truncated: boolean };
    const { maxLiveMs, samples, rssGrowthMb } = await watch.stop();
    console.log(`read of a ${LINE_BYTES / 1e6} MB line: /live max ${maxLiveMs.toFixed(0)} ms over ${samples} probes, RSS growth ${rssGrowthMb.toFixed(0)} MB, answer ${JSON.stringify(body).length} bytes`);
    assert.equal(res.status, 200);
    checkLines(body.lines, 'read');
    assert.equal(body.truncated, false, 'every line was read: the 50 MB are within the read budget');
    assert.ok(maxLiveMs < 500, `/live took up to ${maxLiveMs} ms`);
    assert.ok(rssGrowthMb < 200, `RSS grew by ${rssGrowthMb} MB`);
  });
});
