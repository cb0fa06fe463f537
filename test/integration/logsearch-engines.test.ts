import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { listenTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { until } from '../helpers/events.js';
import { searchNdjson } from '../helpers/log-search.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';

/**
 * Log search over containers on two engines (the first engine `local` and e2): each match
 * names its container's engine, and the read slots (LOG_SEARCH_CONCURRENCY) are counted per
 * engine, so a search holding local's only slot does not hold e2's reads back.
 */
const local = new Fixture();
const p = `gdm-t-lse-${local.runId}`;
const BIG_LINES = 100_000;
let e2: TestEngine;
let onE2: Fixture;
const made: Record<'smallLocal' | 'smallE2' | 'bigLocal' | 'bigE2', { id: string; name: string }> = {} as never;

before(async () => {
  await requireEngine();
  ({ e2 } = await requireTestEngines());
  onE2 = new Fixture(e2.cliEnv);
  const small = (tag: string) => ['sh', '-c', `for i in 1 2 3; do echo "${tag} hit $i"; echo "${tag} miss $i"; done; sleep 3600`];
  // About 2 MB of matching lines each: more than the socket buffers hold, so a reader that stops reading holds its read open.
  const big = ['sh', '-c', `seq 1 ${BIG_LINES} | sed 's/^/flood line /'; sleep 3600`];
  [made.smallLocal, made.smallE2, made.bigLocal, made.bigE2] = await Promise.all([
    local.run({ name: `${p}-small-l`, command: small('L'), stopSignalFast: true }),
    onE2.run({ name: `${p}-small-e`, command: small('E'), stopSignalFast: true }),
    local.run({ name: `${p}-big-l`, command: big, stopSignalFast: true }),
    onE2.run({ name: `${p}-big-e`, command: big, stopSignalFast: true }),
  ]);
  // Each engine's own view, polled with a bound: every log is complete.
  const last = (cli: (...a: string[]) => Promise<string>, name: string, want: string) => waitFor(() => cli('logs', '--tail', '1', name), (out) => out === want, 60_000);
  const onE2Cli = (...a: string[]) => dockerOn(e2, ...a);
  await Promise.all([
    last(docker, made.smallLocal.name, 'L miss 3'),
    last(onE2Cli, made.smallE2.name, 'E miss 3'),
    last(docker, made.bigLocal.name, `flood line ${BIG_LINES}`),
    last(onE2Cli, made.bigE2.name, `flood line ${BIG_LINES}`),
  ]);
});
after(async () => {
  await Promise.all([local.cleanup(), onE2?.cleanup()]);
});

async function twoEngineApp(t: { after: (fn: () => Promise<void>) => void }) {
  const file = writeEnginesFile((fn) => t.after(async () => fn()), [e2]);
  const started = await listenTestApp(t, { ENGINES_FILE: file, LOG_SEARCH_CONCURRENCY: '1' });
  const unit = started.app.containers.engines.find((u) => u.name === 'e2');
  assert.ok(unit);
  if (!unit.store.isSynced) await new Promise((resolve) => unit.store.once('synced', () => resolve(undefined)));
  return started;
}

describe('log search over two engines', () => {
  test('matches on both engines, each carrying its container\'s engine', async (t) => {
    const { base, headers } = await twoEngineApp(t);
    const answer = await searchNdjson(base, { q: 'hit', name: `${p}-small-*`, order: 'oldest' }, headers);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.start?.containers.map((c) => [c.engine, c.id]).sort(), [['e2', made.smallE2.id], ['local', made.smallLocal.id]].sort());
    const got = answer.matches.map((m) => `${m.container.engine} ${m.container.id} ${m.line}`).sort();
    const want = [1, 2, 3].flatMap((i) => [`local ${made.smallLocal.id} L hit ${i}`, `e2 ${made.smallE2.id} E hit ${i}`]).sort();
    assert.deepEqual(got, want);
    assert.deepEqual(answer.summary?.failed, []);
  });

  test('with LOG_SEARCH_CONCURRENCY=1, a read held open on local does not keep e2\'s read from opening (slots are per engine)', async (t) => {
    const { app, base, headers } = await twoEngineApp(t);
    const { reads } = app.logSearch;
    // Both logs match on every line; the client reads nothing, so each engine read stalls once the socket is full.
    const both = until(reads, 'change', () => reads.open >= 2, 20_000, 'an engine read open on each engine at once');
    const request = http.get(`${base}/api/v1/logs/search?q=flood&order=oldest&name=${p}-big-*`, { headers: { ...headers, accept: 'application/x-ndjson' } });
    request.on('response', (res) => res.pause());
    request.on('error', () => undefined);
    await both;
    const closed = until(reads, 'change', () => reads.open === 0, 10_000, 'the engine reads to close');
    request.destroy();
    await closed;
  });
});
