import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listenTestApp, type TestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { linesLogged, searchNdjson, type SearchAnswer } from '../helpers/log-search.js';
import { privateGroups } from '../helpers/private-groups.js';
import { SseClient } from '../helpers/sse-client.js';
import { sortKey } from '../../src/logsearch/time-range.js';

/**
 * Log search over a group of five containers that each write known lines (200 at first, 50
 * more once told to), plus one container in another group that writes the same kind of
 * lines: a search finds exactly the lines it should, in the time range, in order, and
 * never a line of a container outside the caller's groups.
 */
const fixture = new Fixture();
const groups = privateGroups(fixture.runId, ['search', 'other']);
const G = { search: groups.group('search'), other: groups.group('other') };
const p = `gdm-t-ls-${fixture.runId}`;
const project = `proj-${fixture.runId}`;
const NS = ['1', '2', '3', '4', '5'];
const nameOf = (n: string) => `${p}-c${n}`;
const OUTSIDER = `${p}-out`;

// Every 50th line goes to stderr; after the first 200 the container waits for /tmp/go, then writes 50 more.
const SCRIPT =
  'for i in $(seq 1 200); do if [ $((i % 50)) -eq 0 ]; then echo "c$N line $i" >&2; else echo "c$N line $i"; fi; done; ' +
  'while [ ! -f /tmp/go ]; do sleep 0.1; done; for i in $(seq 1 50); do echo "c$N line 1$i late"; done; sleep 3600';

interface Line {
  name: string;
  stream: 'stdout' | 'stderr';
  line: string;
}
const early: Line[] = [];
const late: Line[] = [];
for (const n of NS) {
  for (let i = 1; i <= 200; i++) early.push({ name: nameOf(n), stream: i % 50 === 0 ? 'stderr' : 'stdout', line: `c${n} line ${i}` });
  for (let i = 1; i <= 50; i++) late.push({ name: nameOf(n), stream: 'stdout', line: `c${n} line 1${i} late` });
}

let app: TestApp;
let base = '';
/** The app lives for the whole file: closed in the file's after. */
const closers: (() => Promise<void>)[] = [];
/** The newest time of the first 200 lines, and the oldest of the 50 after (RFC 3339, nanoseconds). */
let earlyEnd = '';
let lateStart = '';
let member: Record<string, string>;
let outsider: Record<string, string>;

before(async () => {
  await requireEngine();
  ({ app, base } = await listenTestApp({ after: (fn) => void closers.push(fn) }, { ...groups.env, DEVELOPER_SERVICES: `${G.search},${G.other}` }));
  const run = (name: string, n: string, group: string, labels: Record<string, string> = {}) =>
    fixture.run({ name, env: { N: n }, labels: { 'gdm.group': group, ...labels }, command: ['sh', '-c', SCRIPT], stopSignalFast: true });
  await Promise.all([
    ...NS.map((n) => run(nameOf(n), n, G.search, n === '1' || n === '2' ? { 'com.docker.compose.project': project } : {})),
    run(OUTSIDER, 'X', G.other),
  ]);
  const names = [...NS.map(nameOf), OUTSIDER];
  const follows = await Promise.all(names.map((name) => SseClient.open(`${base}/api/v1/containers/${name}/logs?follow=true&timestamps=true&tail=500`)));
  try {
    const logged = (f: SseClient, match: (text: string) => boolean) =>
      f.events.filter((e) => e.event === 'log' && match((e.data as { text: string }).text)).map((e) => sortKey((e.data as { timestamp: string }).timestamp));
    // stdout and stderr are stamped by two copiers: the newest early line may be on either.
    await Promise.all(follows.map((f) => linesLogged(f, 200)));
    earlyEnd = `${follows.flatMap((f) => logged(f, () => true)).sort().at(-1)}Z`;
    await Promise.all(names.map((name) => docker('exec', name, 'touch', '/tmp/go')));
    await Promise.all(follows.map((f) => linesLogged(f, 250)));
    lateStart = `${follows.flatMap((f) => logged(f, (text) => text.endsWith('late'))).sort()[0]}Z`;
    assert.ok(lateStart > earlyEnd);
  } finally {
    for (const f of follows) f.close();
  }
  member = { authorization: `Bearer ${await app.tokenFor('developer', { sub: 'ls-member', groups: [G.search] })}` };
  outsider = { authorization: `Bearer ${await app.tokenFor('developer', { sub: 'ls-outsider', groups: [G.other] })}` };
});
after(async () => {
  for (const close of closers) await close();
  await fixture.cleanup();
  groups.remove();
});

const key = (l: Line) => `${l.name}|${l.stream}|${l.line}`;
const found = (a: SearchAnswer) => a.matches.map((m) => key({ name: m.container.name, stream: m.stream, line: m.line })).sort();
const expected = (lines: Line[], test: (text: string) => boolean) => lines.filter((l) => test(l.line)).map(key).sort();

describe('log search over a group of five containers', () => {
  test('finds exactly the matching lines in the time range, each with container, stream and timestamp', async () => {
    const before = await searchNdjson(base, { q: 'line 1', group: G.search, until: earlyEnd }, member);
    assert.equal(before.status, 200, before.body);
    assert.match(before.contentType, /^application\/x-ndjson/);
    assert.deepEqual(before.start?.containers.map((c) => c.name).sort(), NS.map(nameOf));
    assert.deepEqual(found(before), expected(early, (t) => t.includes('line 1')));
    assert.equal(before.matches.length, 5 * 111);
    assert.ok(before.matches.every((m) => m.container.engine === 'local' && sortKey(m.timestamp) <= sortKey(earlyEnd)));
    assert.ok(before.matches.some((m) => m.stream === 'stderr' && m.line === 'c3 line 150'), 'stderr lines are searched and said so');
    assert.deepEqual({ ...before.summary, durationMs: 0, linesScanned: 0 }, { containers: 5, linesScanned: 0, matches: 555, truncated: false, timedOut: false, failed: [], durationMs: 0 });
    // Oldest first reads each line of the range once (newest first may read one twice: in a tail, then in a window).
    const once = await searchNdjson(base, { q: 'line 1', group: G.search, until: earlyEnd, order: 'oldest' }, member);
    assert.deepEqual([once.summary?.linesScanned, once.summary?.matches], [5 * 200, 555]);

    const afterwards = await searchNdjson(base, { q: 'line 1', group: G.search, since: lateStart }, member);
    assert.deepEqual(found(afterwards), expected(late, () => true));
    assert.equal(afterwards.matches.length, 5 * 50);
  });

  test('newest first is newest first across the containers; oldest first keeps each container\'s streams in time order', async () => {
    const newest = await searchNdjson(base, { q: 'line', group: G.search, limit: 5000 }, member);
    assert.equal(newest.summary?.timedOut, false);
    const keys = newest.matches.map((m) => sortKey(m.timestamp));
    assert.equal(keys.length, 5 * 250);
    assert.deepEqual(keys, [...keys].sort().reverse());

    // As the engine stores them: each stream in time order (stdout and stderr are copied apart,
    // so the engine may store a stderr line a moment after a later stdout line).
    const oldest = await searchNdjson(base, { q: 'line', group: G.search, order: 'oldest', limit: 5000 }, member);
    assert.equal(oldest.summary?.timedOut, false);
    assert.equal(oldest.matches.length, 5 * 250);
    for (const n of NS) {
      for (const stream of ['stdout', 'stderr']) {
        const mine = oldest.matches.filter((m) => m.container.name === nameOf(n) && m.stream === stream).map((m) => sortKey(m.timestamp));
        assert.deepEqual(mine, [...mine].sort(), `${nameOf(n)} ${stream} in time order`);
      }
    }
  });

  test('limit keeps the newest matches and says the result is truncated', async () => {
    const all = await searchNdjson(base, { q: 'line', group: G.search }, member);
    const limited = await searchNdjson(base, { q: 'line', group: G.search, limit: 7 }, member);
    assert.equal(limited.matches.length, 7);
    assert.deepEqual(limited.matches.map((m) => m.timestamp), all.matches.slice(0, 7).map((m) => m.timestamp));
    assert.equal(limited.summary?.truncated, true);
  });

  test('a regular expression, case, a compose project and a name glob select what they say', async () => {
    const regex = await searchNdjson(base, { q: 'c[35] line 1[0-9]{2}$', regex: true, group: G.search }, member);
    assert.deepEqual(found(regex), expected([...early, ...late], (t) => /c[35] line 1[0-9]{2}$/.test(t)));
    const ignoringCase = await searchNdjson(base, { q: 'C2 LINE 17', group: G.search }, member);
    assert.deepEqual(found(ignoringCase), expected([...early, ...late], (t) => t.startsWith('c2 line 17')));
    assert.equal((await searchNdjson(base, { q: 'C2 LINE 17', case: true, group: G.search }, member)).matches.length, 0);
    const inProject = await searchNdjson(base, { q: 'line 42', project }, member);
    assert.deepEqual(inProject.start?.containers.map((c) => c.name).sort(), [nameOf('1'), nameOf('2')]);
    assert.deepEqual(found(inProject), expected(early, (t) => /^c[12] line 42$/.test(t)));
    const glob = await searchNdjson(base, { q: 'line 77', name: `${p}-c?` }, member);
    assert.deepEqual(found(glob), expected(early, (t) => t.endsWith('line 77')));
  });

  test('nothing outside the caller\'s groups is read: not by default, not by name, not by group', async () => {
    const everything = await searchNdjson(base, { q: 'line' }, member);
    assert.deepEqual(everything.start?.containers.map((c) => c.name).sort(), NS.map(nameOf));
    assert.ok(everything.matches.every((m) => m.container.name !== OUTSIDER && !m.line.startsWith('cX')));
    const byName = await searchNdjson(base, { q: 'line', name: OUTSIDER }, member);
    assert.deepEqual([byName.start?.containers.length, byName.matches.length], [0, 0]);
    const byGroup = await searchNdjson(base, { q: 'line', group: G.other }, member);
    assert.equal(byGroup.status, 404);
    assert.equal((JSON.parse(byGroup.body) as { error: { code: string } }).error.code, 'GROUP_NOT_FOUND');

    // The other group's member sees its own container only.
    const theirs = await searchNdjson(base, { q: 'line 7', name: `${p}-*` }, outsider);
    assert.deepEqual(theirs.start?.containers.map((c) => c.name), [OUTSIDER]);
    assert.ok(theirs.matches.length > 0 && theirs.matches.every((m) => m.line.startsWith('cX')));
  });

  test('Accept: text/event-stream answers the same search as Server-Sent Events', async () => {
    const stream = await SseClient.open(`${base}/api/v1/logs/search?q=line%2042&group=${G.search}`, member);
    await stream.waitForEnd(20_000);
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    assert.deepEqual([...new Set(stream.events.map((e) => e.event))], ['start', 'match', 'summary']);
    assert.equal(stream.events.filter((e) => e.event === 'match').length, 5);
  });
});
