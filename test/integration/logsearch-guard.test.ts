import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { listenTestApp, type ErrorBody } from '../helpers/app.js';
import { docker, Fixture, requireEngine, waitFor } from '../helpers/docker-cli.js';
import { until } from '../helpers/events.js';
import { searchNdjson } from '../helpers/log-search.js';

/**
 * What keeps a log search from hurting the service: a pattern that backtracks
 * catastrophically in a backtracking engine runs in linear time (or is refused with a
 * code), a search past its deadline ends with a partial result, and a client that leaves
 * takes every engine read of its search with it.
 */
const fixture = new Fixture();
const p = `gdm-t-lsg-${fixture.runId}`;
const names = { evil: `${p}-evil`, big: `${p}-big` };
const BIG_LINES = 400_000;

before(async () => {
  await requireEngine();
  await Promise.all([
    // One line of 10,000 a's then a b (under the engine's 16 KiB log entry, so one entry): `(a+)+$`
    // takes exponential time on it in a backtracking engine.
    fixture.run({ name: names.evil, command: ['sh', '-c', "head -c 10000 /dev/zero | tr '\\0' a; echo b; sleep 3600"], stopSignalFast: true }),
    // About 7 MB of matching lines: more than the socket buffers hold, so a reader that stops reading holds the search back.
    fixture.run({ name: names.big, command: ['sh', '-c', `seq 1 ${BIG_LINES} | sed 's/^/match line /'; sleep 3600`], stopSignalFast: true }),
  ]);
  // The engine's own view, polled with a bound: both logs are complete.
  const last = (name: string) => docker('logs', '--tail', '1', name);
  assert.equal((await waitFor(() => last(names.evil), (out) => out.endsWith('ab'), 20_000)).length, 10_001);
  assert.equal(await waitFor(() => last(names.big), (out) => out === `match line ${BIG_LINES}`, 60_000), `match line ${BIG_LINES}`);
});
after(() => fixture.cleanup());

describe('log search guards', () => {
  test('a catastrophic-backtracking regex over a 10,000-character line runs in linear time, well within the budget', async (t) => {
    const { base, headers } = await listenTestApp(t, { LOG_SEARCH_TIMEOUT_MS: '5000' });
    const started = performance.now();
    const res = await searchNdjson(base, { q: '(a+)+$', regex: true, name: names.evil }, headers);
    const took = performance.now() - started;
    assert.equal(res.status, 200, res.body);
    assert.deepEqual({ ...res.summary, durationMs: 0 }, { containers: 1, linesScanned: 1, matches: 0, truncated: false, timedOut: false, failed: [], durationMs: 0 });
    assert.ok(took < 5000, `answered in ${Math.round(took)} ms`);
    // And it still finds what it should on the same line.
    const hit = await searchNdjson(base, { q: '^(a+)+b$', regex: true, name: names.evil }, headers);
    assert.equal(hit.matches.length, 1);
  });

  test('a pattern RE2 cannot run, one too large, or too long is a coded 400 before anything streams', async (t) => {
    const { base, headers } = await listenTestApp(t);
    const cases: [string, string][] = [
      ['(a)\\1', 'LOG_SEARCH_INVALID_PATTERN'],
      ['(?=a)b', 'LOG_SEARCH_INVALID_PATTERN'],
      ['(?:a?){1000}a{1000}', 'LOG_SEARCH_PATTERN_TOO_COMPLEX'],
      ['a'.repeat(257), 'VALIDATION_ERROR'],
    ];
    for (const [q, code] of cases) {
      const res = await searchNdjson(base, { q, regex: true, name: names.evil }, headers);
      assert.equal(res.status, 400, `${q.slice(0, 40)}: ${res.body}`);
      assert.match(res.contentType, /^application\/json/);
      assert.equal((JSON.parse(res.body) as ErrorBody).error.code, code, q.slice(0, 40));
    }
  });

  test('a pattern that is linear but slow (~15 µs a line) ends at LOG_SEARCH_TIMEOUT_MS with a partial result that says so', async (t) => {
    const { base, headers } = await listenTestApp(t, { LOG_SEARCH_TIMEOUT_MS: '1000' });
    const started = performance.now();
    const res = await searchNdjson(base, { q: '(?:[a-z0-9 ]?){300}[a-z0-9 ]{300}', regex: true, name: names.big }, headers);
    const took = performance.now() - started;
    assert.equal(res.status, 200, res.body);
    assert.equal(res.summary?.timedOut, true);
    assert.ok((res.summary?.linesScanned ?? BIG_LINES) < BIG_LINES, `partial: ${res.summary?.linesScanned} of ${BIG_LINES} lines`);
    assert.ok(took < 3000, `answered in ${Math.round(took)} ms`);
  });

  // A linear but slow pattern (~15 µs a line, ~6 s for the whole log) keeps the engine read
  // open long enough for the client to leave in the middle of it, in either order.
  for (const order of ['oldest', 'newest'] as const) {
    test(`a client that goes away stops every engine read of its search (${order} first)`, async (t) => {
      const { app, base, headers } = await listenTestApp(t);
      const { reads } = app.logSearch;
      const opened = until(reads, 'change', () => reads.open >= 1, 10_000, 'the engine read to open');
      const q = encodeURIComponent('(?:[a-z0-9 ]?){300}[a-z0-9 ]{300}');
      const { request } = await openSearch(`${base}/api/v1/logs/search?q=${q}&regex=true&order=${order}&name=${names.big}`, headers);
      await opened;
      const closed = until(reads, 'change', () => reads.open === 0, 10_000, 'the engine read to close');
      request.destroy();
      await closed;
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /^gdm_logsearch_engine_reads 0$/m);
      const scanned = Number(/^gdm_logsearch_lines_scanned_total (\d+)$/m.exec(metrics.body)?.[1]);
      assert.ok(scanned < BIG_LINES, `the engine read stopped early (${scanned} of ${BIG_LINES} lines read)`);
    });
  }
});

/** Opens a search as NDJSON over a real connection and resolves with the response once its head arrived. */
function openSearch(url: string, headers: Record<string, string>): Promise<{ response: http.IncomingMessage; request: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { ...headers, accept: 'application/x-ndjson' } }, (response) => {
      assert.equal(response.statusCode, 200);
      resolve({ response, request });
    });
    request.on('error', reject);
  });
}

