import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, listenTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { SseClient } from '../helpers/sse-client.js';
import { docker, Fixture, inspectState, requireEngine } from '../helpers/docker-cli.js';
import { until } from '../helpers/events.js';
import { feedOf } from '../helpers/store-events.js';
import type { FeedEntry } from '../../src/containers/change-feed.js';
import type { Role } from '../../src/access/permissions.js';

const fixture = new Fixture();
let inGroup: { id: string; name: string }; // foundation: every role's default groups
let outOfGroup: { id: string; name: string }; // support: admin only
let ungrouped: { id: string; name: string }; // no group: admin only

before(async () => {
  await requireEngine();
  [inGroup, outOfGroup, ungrouped] = await Promise.all([
    fixture.run({ labels: { 'gdm.group': 'foundation' }, stopSignalFast: true }),
    fixture.run({ labels: { 'gdm.group': 'support' }, stopSignalFast: true }),
    fixture.run({ stopSignalFast: true }),
  ]);
});
after(() => fixture.cleanup());

async function as(app: TestApp, role: Role) {
  const authorization = `Bearer ${await app.tokenFor(role)}`;
  return (method: 'GET' | 'POST', url: string) => app.inject({ method, url, headers: { authorization } });
}

/**
 * What each role may do, by whether the container is in its groups. A role without
 * EXECUTE gets 403 for any action, existing container or not, so it learns nothing.
 */
const EXPECT: Record<Role, { read: [number, number]; act: [number, number] }> = {
  user: { read: [200, 404], act: [403, 403] },
  developer: { read: [200, 404], act: [200, 404] },
  admin: { read: [200, 200], act: [200, 200] },
};

describe('role × endpoint × (in-group, out-of-group)', () => {
  for (const role of ['user', 'developer', 'admin'] as const) {
    test(`${role}: reads and actions, with the engine checked after every call`, async (t) => {
      const app = await buildTestApp(t);
      const call = await as(app, role);
      const list = (await call('GET', '/api/v1/containers')).json() as { containers: { id: string }[] };
      const ids = new Set(list.containers.map((c) => c.id));
      assert.equal(ids.has(inGroup.id), true, 'in-group container listed');
      assert.equal(ids.has(outOfGroup.id), role === 'admin', 'out-of-group container listed only for admin');
      assert.equal(ids.has(ungrouped.id), role === 'admin', 'ungrouped container listed only for admin');

      for (const [which, c] of [
        [0, inGroup],
        [1, outOfGroup],
      ] as const) {
        for (const ref of [c.id, c.id.slice(0, 12), c.name]) {
          for (const path of ['', '/logs', '/stats']) {
            const res = await call('GET', `/api/v1/containers/${ref}${path}`);
            assert.equal(res.statusCode, EXPECT[role].read[which], `${role} GET ${path || 'details'} ${which ? 'out' : 'in'} by ${ref}`);
            if (res.statusCode === 404) assert.equal((res.json() as ErrorBody).error.code, 'CONTAINER_NOT_FOUND', 'hidden looks like absent');
          }
        }
        for (const action of ['stop', 'start', 'restart'] as const) {
          const before = await inspectState(c.name);
          const res = await call('POST', `/api/v1/containers/${c.name}/${action}?timeout=1`);
          assert.equal(res.statusCode, EXPECT[role].act[which], `${role} ${action} ${which ? 'out' : 'in'}: ${res.body}`);
          const after = await inspectState(c.name);
          if (res.statusCode !== 200) {
            assert.deepEqual(after, before, `a denied ${action} leaves the engine unchanged`);
          } else {
            assert.equal(after.Running, action !== 'stop', `${action} took effect`);
          }
        }
        await docker('start', c.name);
      }
    });
  }

  test('service groups: each role sees its groups; EXECUTE needed to act; out-of-group is 404', async (t) => {
    const app = await buildTestApp(t);
    const names = async (role: Role) =>
      ((await (await as(app, role))('GET', '/api/v1/services')).json() as { groups: { name: string }[] }).groups.map((g) => g.name);
    assert.deepEqual(await names('user'), ['foundation', 'core']);
    assert.deepEqual(await names('developer'), ['foundation', 'core', 'application']);
    assert.deepEqual(await names('admin'), ['foundation', 'core', 'application', 'support']);
    const user = await as(app, 'user');
    const developer = await as(app, 'developer');
    assert.equal((await user('GET', '/api/v1/services/support')).statusCode, 404);
    const before = await inspectState(inGroup.name);
    assert.equal((await user('POST', '/api/v1/services/foundation/stop')).statusCode, 403);
    assert.equal((await developer('POST', '/api/v1/services/support/stop')).statusCode, 404);
    assert.deepEqual(await inspectState(inGroup.name), before, 'denied group calls leave the engine unchanged');
    assert.deepEqual(await inspectState(outOfGroup.name), { ...(await inspectState(outOfGroup.name)) });
    assert.equal((await inspectState(outOfGroup.name)).Running, true);
  });

  test('admin-only endpoints and no token at all', async (t) => {
    const app = await buildTestApp(t);
    for (const role of ['user', 'developer'] as const) {
      const call = await as(app, role);
      assert.equal((await call('GET', '/api/v1/users')).statusCode, 403, `${role} users`);
      assert.equal((await call('GET', '/api/v1/audit')).statusCode, 403, `${role} audit`);
      assert.equal((await call('GET', '/api/v1/roles')).statusCode, 200, `${role} roles`);
    }
    for (const [method, url] of [
      ['GET', '/api/v1/containers'],
      ['GET', `/api/v1/containers/${inGroup.name}`],
      ['POST', `/api/v1/containers/${inGroup.name}/stop`],
      ['GET', '/api/v1/services'],
      ['GET', '/api/v1/events'],
      ['GET', '/api/v1/users'],
      ['GET', '/api/v1/auth/me'],
    ] as const) {
      const res = await app.inject({ method, url, headers: { authorization: '' } });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
    assert.equal((await inspectState(inGroup.name)).Running, true);
    for (const url of ['/', '/health', '/live', '/ready', '/metrics', '/openapi.json', '/api/v1/health']) {
      assert.equal((await app.inject({ url, headers: { authorization: '' } })).statusCode, 200, url);
    }
  });

  test('the events stream carries only changes of containers in the caller\'s groups', async (t) => {
    const { app, base } = await listenTestApp(t);
    const events = await SseClient.open(`${base}/api/v1/events`, { authorization: `Bearer ${await app.tokenFor('user')}` });
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'ready');
    // The feed numbers every change (the stream's event ids): note the out-of-group ones.
    const outSeqs: number[] = [];
    const noteOut = (entry: FeedEntry) => {
      if (entry.change.id === outOfGroup.id) outSeqs.push(entry.seq);
    };
    feedOf(app).on('entry', noteOut);
    t.after(() => feedOf(app).off('entry', noteOut));
    const { store } = app.containers;
    await docker('restart', '-t', '1', outOfGroup.name);
    await until(store, 'change', () => outSeqs.length > 0 && store.summary(outOfGroup.id)?.state === 'running', 10_000, 'the out-of-group restart in the store');
    await docker('restart', '-t', '1', inGroup.name);
    // The sentinel: an in-group change numbered after every out-of-group change so far. The
    // stream is in feed order, so had any of those reached the user it would be here by now.
    const sentinel = await events.waitFor(
      (e) => e.event === 'container' && (e.data as { id: string }).id === inGroup.id && Number(e.id) > Math.max(...outSeqs),
      10_000,
      'an in-group change after the out-of-group ones',
    );
    assert.ok(outSeqs.length > 0 && outSeqs.every((seq) => seq < Number(sentinel.id)), `out-of-group changes ${outSeqs.join(',')} came before the sentinel ${sentinel.id}`);
    assert.ok(!events.events.some((e) => (e.data as { id?: string }).id === outOfGroup.id), 'no out-of-group change reached the user');
  });

  test('GET /roles describes the matrix', async (t) => {
    const app = await buildTestApp(t);
    const body = (await app.inject({ url: '/api/v1/roles' })).json() as { roles: { name: string; permissions: string[]; groups: string[] }[] };
    assert.deepEqual(
      body.roles.map((r) => [r.name, r.permissions, r.groups]),
      [
        ['user', ['READ'], ['foundation', 'core']],
        ['developer', ['READ', 'EXECUTE'], ['foundation', 'core', 'application']],
        ['admin', ['READ', 'EXECUTE', 'WRITE', 'DELETE'], ['*']], // ADMIN_SERVICES defaults to every group
      ],
    );
  });

  test('a token groups claim narrows what a caller sees', async (t) => {
    const app = await buildTestApp(t);
    const token = await app.tokenFor('developer', { groups: ['support'] });
    const list = (await app.inject({ url: '/api/v1/containers', headers: { authorization: `Bearer ${token}` } })).json() as { containers: { id: string }[] };
    assert.deepEqual(list.containers.map((c) => c.id).filter((id) => [inGroup.id, outOfGroup.id, ungrouped.id].includes(id)), [outOfGroup.id]);
  });

  test('GUI_ACCESS_LEVELS_ENABLED=false: every authenticated caller is admin, but a token is still required', async (t) => {
    const app = await buildTestApp(t, { GUI_ACCESS_LEVELS_ENABLED: 'false' });
    const user = await as(app, 'user');
    assert.equal((await user('POST', `/api/v1/containers/${outOfGroup.name}/restart?timeout=1`)).statusCode, 200);
    assert.equal((await user('GET', '/api/v1/users')).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/v1/containers', headers: { authorization: '' } })).statusCode, 401);
  });
});
