import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine, TEST_IMAGE, TEST_LABEL } from '../helpers/docker-cli.js';
import { untilStore, waitForStoreChange } from '../helpers/store-events.js';
import type { ContainerChange } from '../../src/containers/container-store.js';
import { parseGroups } from '../../src/groups/load.js';

/**
 * Issue 13: lists and details are served as bytes made once per store change, with ETags.
 * What must hold: every kind of change shows in the next answer, a viewer never gets bytes
 * made for another scope, and a 304 only while nothing the viewer sees changed. Waits are
 * on store changes, never on time.
 */
const fixture = new Fixture();
const p = `gdm-t-hp-${fixture.runId}`;
const labelKey = `gdmt.hp.${fixture.runId}`;
const G = { a: `hpa-${fixture.runId}`, b: `hpb-${fixture.runId}` };
// a: by label (membership follows the label); b: by name pattern (a rename moves a container in or out).
const groups = parseGroups({ groups: { [G.a]: { members: [{ label: `${labelKey}=a` }] }, [G.b]: { members: [{ pattern: `${p}-b-*` }] } } });
const both = `${G.a},${G.b}`;
const env = { GROUP_LABEL: `gdmt.${fixture.runId}.group`, ADMIN_SERVICES: both, DEVELOPER_SERVICES: both, USER_SERVICES: both };

let app: TestApp;
let closeApp: () => Promise<void> = async () => undefined;
before(async () => {
  await requireEngine();
  // One app for the file (its caches live across the tests); closed in the file's after.
  app = await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, env, { groups });
});
after(async () => {
  await closeApp();
  await fixture.cleanup();
});

interface Listed {
  containers: { id: string; name: string; state: string; health: string; groups: string[] }[];
  total: number;
}

async function auth(role: 'user' | 'admin', sub: string, groupClaim?: string[]) {
  return { authorization: `Bearer ${await app.tokenFor(role, { sub, ...(groupClaim ? { groups: groupClaim } : {}) })}` };
}

async function get(url: string, headers: Record<string, string> = {}, etag?: string) {
  const res = await app.inject({ url, headers: { ...headers, ...(etag ? { 'if-none-match': etag } : {}) } });
  return { status: res.statusCode, etag: String(res.headers.etag ?? ''), body: res.body, type: String(res.headers['content-type'] ?? '') };
}

/** Runs a docker command once the wait for its store change is set up; resolves with the change. */
async function changed(action: string, name: string | undefined, run: () => Promise<unknown>, match?: (c: ContainerChange) => boolean): Promise<ContainerChange> {
  const seen = waitForStoreChange(app, (c) => c.action === action && (name === undefined || c.name === name) && (match?.(c) ?? true), 15_000, `${action} of ${name}`);
  await run();
  return seen;
}

/** Resolves once the store holds these containers (checked now and on every change). */
function stored(...ids: string[]): Promise<void> {
  return untilStore(app, (store) => ids.every((id) => store.record(id) !== undefined), 15_000, `the store to hold ${ids.join(', ')}`);
}

const listUrl = `/api/v1/containers?name=${p}`;

describe('hot path: cached lists and details, ETags', () => {
  test('a cached list changes after every kind of change (create, start, health, die, rename, destroy)', async () => {
    let last = await get(listUrl);
    assert.equal(last.status, 200);
    assert.match(last.type, /^application\/json/);
    assert.equal((await get(listUrl, {}, last.etag)).status, 304, 'unchanged: revalidates');
    const name = `${p}-life`;
    const renamed = `${p}-life2`;
    /** After a change: the old ETag answers 200 with a new body that shows it. */
    const next = async (what: string, check: (l: Listed) => void) => {
      const now = await get(listUrl, {}, last.etag);
      assert.equal(now.status, 200, `${what}: the old ETag no longer matches`);
      assert.notEqual(now.etag, last.etag, `${what}: new ETag`);
      check(JSON.parse(now.body) as Listed);
      last = now;
    };
    const find = (l: Listed, n: string) => l.containers.find((c) => c.name === n);

    await changed('create', name, () => docker('create', '--name', name, '--label', `${TEST_LABEL}=${fixture.runId}`, '--health-cmd', 'true', '--health-interval', '1s', TEST_IMAGE, 'sleep', '3600'));
    await next('create', (l) => assert.equal(find(l, name)?.state, 'created'));

    const healthy = waitForStoreChange(app, (c) => c.name === name && c.action === 'health_status' && c.container?.health === 'healthy', 15_000, 'healthy');
    await changed('start', name, () => docker('start', name));
    await next('start', (l) => assert.equal(find(l, name)?.state, 'running'));
    await healthy;
    await next('health', (l) => assert.equal(find(l, name)?.health, 'healthy'));

    await changed('die', name, () => docker('kill', name));
    await next('die', (l) => assert.equal(find(l, name)?.state, 'exited'));

    await changed('rename', renamed, () => docker('rename', name, renamed));
    await next('rename', (l) => {
      assert.equal(find(l, name), undefined);
      assert.ok(find(l, renamed));
    });

    await changed('destroy', renamed, () => docker('rm', '-f', renamed));
    await next('destroy', (l) => assert.equal(find(l, renamed), undefined));
    assert.equal((await get(listUrl, {}, last.etag)).status, 304);
  });

  test('viewers with different groups never share cached bytes; the same scope does; membership changes show', async () => {
    const a1 = await auth('user', 'hp-a1', [G.a]);
    const a2 = await auth('user', 'hp-a2', [G.a]);
    const b = await auth('user', 'hp-b', [G.b]);
    const ca = await fixture.run({ name: `${p}-in-a`, createOnly: true, labels: { [labelKey]: 'a' } });
    const cb = await fixture.run({ name: `${p}-b-one`, createOnly: true });
    const outside = await fixture.run({ name: `${p}-nogroup`, createOnly: true });
    await stored(ca.id, cb.id, outside.id);
    const names = (r: { body: string }) => (JSON.parse(r.body) as Listed).containers.map((c) => c.name);

    const ra1 = await get(listUrl, a1);
    const ra2 = await get(listUrl, a2);
    const rb = await get(listUrl, b);
    assert.deepEqual(names(ra1), [ca.name], 'group a sees its labelled member only');
    assert.deepEqual(names(rb), [cb.name], 'group b sees its name-matched member only');
    assert.equal(ra2.body, ra1.body, 'same scope, other subject: same bytes');
    assert.equal(ra2.etag, ra1.etag);
    assert.notEqual(rb.etag, ra1.etag);
    const bWithATag = await get(listUrl, b, ra1.etag);
    assert.equal(bWithATag.status, 200, "a's ETag never revalidates b's view");
    assert.deepEqual(names(bWithATag), [cb.name]);
    assert.equal((await get(listUrl, a2, ra1.etag)).status, 304, 'same scope revalidates');

    // Membership by name: a rename moves a container into group b, out of nobody's view.
    const joined = `${p}-b-two`;
    await changed('rename', joined, () => docker('rename', outside.name, joined));
    const rb2 = await get(listUrl, b, rb.etag);
    assert.equal(rb2.status, 200, 'b sees its new member');
    assert.deepEqual(names(rb2).sort(), [cb.name, joined].sort());
    // Membership by label: a new labelled container joins group a.
    const added = `${p}-in-a2`;
    await changed('create', added, () => fixture.run({ name: added, createOnly: true, labels: { [labelKey]: 'a' } }));
    const ra3 = await get(listUrl, a1, ra1.etag);
    assert.equal(ra3.status, 200);
    assert.deepEqual(names(ra3).sort(), [ca.name, added].sort());
    assert.ok(!names(ra3).includes(joined));
  });

  test('details: ETag and 304 per viewer scope, env values for admins only, a change ends the 304', async () => {
    const c = await fixture.run({ name: `${p}-b-env`, createOnly: true, stopSignalFast: true, env: { HP_SECRET: 's3cret' } });
    await stored(c.id);
    const user = await auth('user', 'hp-ub', [G.b]);
    const url = `/api/v1/containers/${c.name}`;
    const admin = await get(url);
    assert.equal(admin.status, 200);
    assert.match(admin.body, /s3cret/);
    assert.equal((await get(url, {}, admin.etag)).status, 304);
    const byId = await get(`/api/v1/containers/${c.id}`, {}, admin.etag);
    assert.equal(byId.status, 304, 'by id: the same view');
    for (let i = 0; i < 2; i++) {
      const mine = await get(url, user, admin.etag);
      assert.equal(mine.status, 200, "the admin's ETag never revalidates a user's view");
      assert.doesNotMatch(mine.body, /s3cret/, 'cached or not, no env values for a user');
      assert.ok((JSON.parse(mine.body) as { env: { name: string; value?: string }[] }).env.some((e) => e.name === 'HP_SECRET' && e.value === undefined));
      assert.equal((await get(url, user, mine.etag)).status, 304);
    }
    assert.match((await get(url)).body, /s3cret/, 'the admin still gets values after a user was served');
    await changed('start', c.name, () => docker('start', c.name));
    const after = await get(url, {}, admin.etag);
    assert.equal(after.status, 200, 'changed: a new body');
    assert.equal((JSON.parse(after.body) as { state: string }).state, 'running');
    await changed('die', c.name, () => docker('kill', c.name));
  });

  test('group views: ETag, 304 while unchanged, 200 once a member changes', async () => {
    const member = await fixture.run({ name: `${p}-in-a-grp`, createOnly: true, stopSignalFast: true, labels: { [labelKey]: 'a' } });
    await stored(member.id);
    for (const url of [`/api/v1/services/${G.a}`, '/api/v1/services']) {
      const first = await get(url);
      assert.equal(first.status, 200);
      assert.ok(first.etag);
      const again = await get(url, {}, first.etag);
      assert.equal(again.status, 304, `${url}: nothing running, nothing changed`);
      assert.equal(again.body, '');
    }
    const before = await get(`/api/v1/services/${G.a}`);
    const list = await get('/api/v1/services');
    await changed('start', member.name, () => docker('start', member.name));
    const details = await get(`/api/v1/services/${G.a}`, {}, before.etag);
    assert.equal(details.status, 200);
    assert.ok((JSON.parse(details.body) as { members: { running: number } }).members.running >= 1);
    assert.equal((await get('/api/v1/services', {}, list.etag)).status, 200);
    await changed('die', member.name, () => docker('kill', member.name));
  });
});
