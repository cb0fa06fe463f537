import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listenTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine, uniqueName } from '../helpers/docker-cli.js';
import { privateGroups } from '../helpers/private-groups.js';
import { SseClient } from '../helpers/sse-client.js';
import { feedOf } from '../helpers/store-events.js';

/**
 * Audit issue 18 item 5: a container outside the caller's groups must be undetectable.
 * An id prefix that only hidden containers share, or a hidden container's name, must
 * answer exactly as a missing container does, and must not write a change into the
 * admins' /events (the engine fallback of a lookup is read-only).
 */
const fixture = new Fixture();
const groups = privateGroups(fixture.runId, ['vis', 'hid']);
const VIS = groups.group('vis');
const HID = groups.group('hid');
let visible: { id: string; name: string };
let hidden: { id: string; name: string }[] = [];
/** A first hex character that two hidden containers share and no visible one has. */
let prefix = '';

before(async () => {
  await requireEngine();
  visible = await fixture.run({ labels: { 'gdm.group': VIS }, createOnly: true });
  // Hidden containers until two of them share a first character the visible one lacks.
  for (let i = 0; i < 40 && !prefix; i++) {
    hidden.push(await fixture.run({ labels: { 'gdm.group': HID }, createOnly: true }));
    const counts = new Map<string, number>();
    for (const h of hidden) counts.set(h.id[0] as string, (counts.get(h.id[0] as string) ?? 0) + 1);
    prefix = [...counts].find(([c, n]) => n >= 2 && !visible.id.startsWith(c))?.[0] ?? '';
  }
  assert.ok(prefix, 'two hidden containers share a first character');
  hidden = hidden.filter((h) => h.id.startsWith(prefix)).concat(hidden.filter((h) => !h.id.startsWith(prefix)));
});
after(async () => {
  await fixture.cleanup();
  groups.remove();
});

async function as(app: TestApp, role: 'user' | 'developer', method: 'GET' | 'POST', url: string) {
  const authorization = `Bearer ${await app.tokenFor(role, { groups: [VIS] })}`;
  const res = await app.inject({ method, url, headers: { authorization } });
  return { status: res.statusCode, body: res.json() as ErrorBody };
}

/** The answer for `ref` with the ref itself blanked out, to compare with a missing one's. */
function shape(res: { status: number; body: ErrorBody }, ref: string) {
  const message = res.body.error?.message ?? '';
  const at = message.lastIndexOf(ref);
  return { status: res.status, code: res.body.error?.code, message: at === -1 ? message : `${message.slice(0, at)}<ref>${message.slice(at + ref.length)}` };
}

describe('hidden containers cannot be detected', () => {
  test('an id prefix only hidden containers share answers 404 exactly like a missing id', async (t) => {
    const { app } = await listenTestApp(t, groups.env);
    const missing = uniqueName('missing');
    for (const [role, method, path] of [
      ['user', 'GET', ''],
      ['user', 'GET', '/logs'],
      ['user', 'GET', '/stats'],
      ['developer', 'POST', '/start'],
    ] as const) {
      const absent = shape(await as(app, role, method, `/api/v1/containers/${missing}${path}`), missing);
      assert.equal(absent.status, 404);
      assert.equal(absent.code, 'CONTAINER_NOT_FOUND');
      for (const ref of [prefix, hidden[0]?.id.slice(0, 12) ?? '', hidden[0]?.name ?? '']) {
        const got = shape(await as(app, role, method, `/api/v1/containers/${ref}${path}`), ref);
        assert.deepEqual(got, absent, `${role} ${method} ${ref}${path} answers as a missing container`);
      }
    }
    // The visible one is still found by its own prefix (more characters than the shared one).
    assert.equal((await as(app, 'user', 'GET', `/api/v1/containers/${visible.id.slice(0, 12)}`)).status, 200);
    const engineState = JSON.parse(await docker('inspect', '--format', '{{json .State.Status}}', hidden[0]?.id ?? '')) as string;
    assert.equal(engineState, 'created', 'the developer\'s refused start left the hidden container alone');
  });

  test('looking up hidden containers by name writes nothing into the admins\' /events', async (t) => {
    const { app, base } = await listenTestApp(t, groups.env);
    const admin = `Bearer ${await app.tokenFor('admin', { groups: [VIS, HID] })}`;
    const events = await SseClient.open(`${base}/api/v1/events`, { authorization: admin });
    t.after(() => events.close());
    const ready = await events.waitFor((e) => e.event === 'ready');
    const fromSeq = (ready.data as { lastEventId: number }).lastEventId;

    for (const h of hidden) {
      for (const path of ['', '/logs', '/stats']) {
        const res = await as(app, 'user', 'GET', `/api/v1/containers/${h.name}${path}`);
        assert.equal(res.status, 404, `user GET ${h.name}${path}`);
      }
    }
    // A real change after the lookups: the first event about our containers must be its.
    await docker('start', visible.name);
    const sentinel = await events.waitFor((e) => e.event === 'container' && (e.data as { id: string }).id === visible.id, 20_000, 'the sentinel start');
    const ours = new Set([visible.id, ...hidden.map((h) => h.id)]);
    const first = events.events.find((e) => e.event === 'container' && ours.has((e.data as { id: string }).id));
    assert.equal(first, sentinel, `the first event about our containers is the sentinel's, got ${JSON.stringify(first?.data)}`);
    const hiddenIds = new Set(hidden.map((h) => h.id));
    const buffered = (feedOf(app).since(fromSeq) ?? []).filter((e) => hiddenIds.has(e.change.id));
    assert.deepEqual(buffered, [], 'no change of a hidden container entered the replay buffer');
  });
});
