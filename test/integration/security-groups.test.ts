import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listenTestApp, type ErrorBody, type TestApp } from '../helpers/app.js';
import { Fixture, inspectState, requireEngine } from '../helpers/docker-cli.js';
import { SseClient } from '../helpers/sse-client.js';
import { waitForStoreChange } from '../helpers/store-events.js';
import { parseGroups } from '../../src/groups/load.js';

/**
 * Group operations and group views against the caller's reach: a capped step timeout, a
 * cancellable operation (18.10), and hidden groups that stay hidden in details, lists,
 * withDependencies and progress streams (18.12). Every group here is made of this file's
 * own containers, selected by exact name.
 */
const fixture = new Fixture();
const p = `gdm-t-sg-${fixture.runId}`;
const names = { found: `${p}-found`, core: `${p}-core`, app: `${p}-app`, never: `${p}-never` };
const G = { found: `found-${fixture.runId}`, core: `core-${fixture.runId}`, app: `app-${fixture.runId}`, stuck: `stuck-${fixture.runId}` };
const groups = parseGroups({
  groups: {
    [G.found]: { members: [{ name: names.found }] },
    [G.core]: { dependsOn: [G.found], members: [{ name: names.core }] },
    [G.app]: { dependsOn: [G.core], members: [{ name: names.app }] },
    [G.stuck]: { description: 'a member that never turns healthy', members: [{ name: names.never }] },
  },
});
const all = Object.values(G).join(',');
// A label key no one else uses: the group label matches nothing but these names.
const env = { GROUP_LABEL: `gdmt.${fixture.runId}.group`, ADMIN_SERVICES: all, DEVELOPER_SERVICES: all, USER_SERVICES: all };

before(async () => {
  await requireEngine();
  await Promise.all([
    fixture.run({ name: names.found, createOnly: true, stopSignalFast: true }),
    fixture.run({ name: names.core, createOnly: true, stopSignalFast: true }),
    fixture.run({ name: names.app, createOnly: true, stopSignalFast: true }),
    fixture.run({ name: names.never, createOnly: true, stopSignalFast: true, healthCmd: 'false', healthInterval: '500ms' }),
  ]);
});
after(() => fixture.cleanup());

async function bearer(app: TestApp, role: 'user' | 'developer' | 'admin', sub: string, groupClaim?: string[]) {
  return { authorization: `Bearer ${await app.tokenFor(role, { sub, ...(groupClaim ? { groups: groupClaim } : {}) })}` };
}

interface Result {
  ok: boolean;
  cancelled?: { by: string; at: string };
  failure?: unknown;
  groups: { group: string; steps: { containers: { name: string; outcome: string }[] }[] }[];
}

/** Resolves when the app's store sees `name` running (the store follows the engine's events). */
async function runningSeen(app: TestApp, name: string, timeoutMs = 10_000): Promise<void> {
  await waitForStoreChange(app, (c) => c.container?.name === name && c.container.state === 'running', timeoutMs, `the store to see ${name} running`);
}

/** Starts the never-healthy group as `headers` with a long step timeout, streamed; resolves once its member was started. */
async function startStuck(base: string, headers: Record<string, string>): Promise<SseClient> {
  const stream = await SseClient.open(`${base}/api/v1/services/${G.stuck}/start?stepTimeout=300`, headers, 'POST');
  assert.equal(stream.status, 200, stream.body);
  await stream.waitFor((e) => e.event === 'progress' && (e.data as { type: string }).type === 'step', 10_000, 'the first step');
  return stream;
}

describe('18.10: a group operation cannot hold a group for long', () => {
  test('stepTimeout or timeout above GROUP_STEP_TIMEOUT_MAX_SECONDS is 400 naming the limit, and nothing starts', async (t) => {
    const { app } = await listenTestApp(t, env, { groups });
    const dev = await bearer(app, 'developer', 'dev-a');
    for (const url of [`/api/v1/services/${G.found}/start?stepTimeout=301`, `/api/v1/services/${G.found}/stop?timeout=3600`]) {
      const res = await app.inject({ method: 'POST', url, headers: dev });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      const body = res.json() as ErrorBody;
      assert.equal(body.error.code, 'VALIDATION_ERROR');
      assert.match(body.error.message, /limit of 300 seconds/);
    }
    assert.equal((await inspectState(names.found)).Status, 'created', 'the engine was not asked to start anything');

    const lowered = await listenTestApp(t, { ...env, GROUP_STEP_TIMEOUT_MAX_SECONDS: '5' }, { groups });
    const res = await lowered.app.inject({
      method: 'POST',
      url: `/api/v1/services/${G.found}/start?stepTimeout=6`,
      headers: await bearer(lowered.app, 'developer', 'dev-a'),
    });
    assert.equal(res.statusCode, 400);
    assert.match((res.json() as ErrorBody).error.message, /limit of 5 seconds/);
  });

  test('an admin cancels a developer\'s long start: it answers cancelled at once, a stop is then accepted; another developer gets 403', async (t) => {
    const { app, base } = await listenTestApp(t, env, { groups });
    const admin = await bearer(app, 'admin', 'admin-1');
    const devA = await bearer(app, 'developer', 'dev-a');
    const devB = await bearer(app, 'developer', 'dev-b');
    const user = await bearer(app, 'user', 'user-1');
    const stream = await startStuck(base, devA);
    t.after(() => stream.close());

    const busy = await app.inject({ method: 'POST', url: `/api/v1/services/${G.stuck}/stop?timeout=0`, headers: admin });
    assert.equal(busy.statusCode, 409, 'the group is held');
    assert.equal((busy.json() as ErrorBody).error.code, 'GROUP_BUSY');

    const other = await app.inject({ method: 'DELETE', url: `/api/v1/services/${G.stuck}/operation`, headers: devB });
    assert.equal(other.statusCode, 403, `another developer may not cancel: ${other.body}`);
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/services/${G.stuck}/operation`, headers: user })).statusCode, 403, 'nor a user');
    assert.equal(app.groups.groupRunner.isBusy(G.stuck), true, 'the refused cancels left it running');

    const asked = Date.now();
    const cancel = await app.inject({ method: 'DELETE', url: `/api/v1/services/${G.stuck}/operation`, headers: admin });
    const cancelMs = Date.now() - asked;
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.deepEqual(cancel.json(), { action: 'start', group: G.stuck, groups: [G.stuck], startedBy: 'dev-a', cancelledBy: 'admin-1' });
    const result = await stream.waitFor((e) => e.event === 'result', 5_000, 'the result');
    const resultMs = Date.now() - asked;
    t.diagnostic(`cancel answered in ${cancelMs} ms; the start's result came ${resultMs} ms after the cancel was asked`);
    assert.ok(cancelMs < 3_000 && resultMs < 3_000, `cancelled promptly (cancel answered in ${cancelMs} ms, result after ${resultMs} ms)`);
    assert.ok(stream.events.some((e) => e.event === 'progress' && (e.data as { type: string; by?: string }).type === 'cancelled' && (e.data as { by: string }).by === 'admin-1'));
    const r = result.data as Result;
    assert.equal(r.ok, false);
    assert.equal(r.cancelled?.by, 'admin-1');
    assert.equal(r.failure, undefined, 'a cancel is not a failure');
    assert.deepEqual(r.groups[0]?.steps[0]?.containers.map((c) => [c.name, c.outcome]), [[names.never, 'cancelled']]);

    const stop = await app.inject({ method: 'POST', url: `/api/v1/services/${G.stuck}/stop?timeout=0`, headers: admin });
    assert.equal(stop.statusCode, 200, `the group is free: ${stop.body}`);
    assert.equal((await inspectState(names.never)).Running, false, 'and the engine stopped its member');
    const none = await app.inject({ method: 'DELETE', url: `/api/v1/services/${G.stuck}/operation`, headers: admin });
    assert.equal(none.statusCode, 404);
    assert.equal((none.json() as ErrorBody).error.code, 'GROUP_OPERATION_NOT_FOUND');

    const audit = (await app.inject({ url: `/api/v1/audit?action=${encodeURIComponent('DELETE /api/v1/services/:group/operation')}`, headers: admin })).json() as {
      entries: { actor: string; outcome: string; status: number; target: string }[];
    };
    const rows = audit.entries.map((e) => [e.actor, e.outcome, e.status, e.target]);
    assert.deepEqual(rows.sort(), [
      ['admin-1', 'allowed', 200, G.stuck],
      ['admin-1', 'failed', 404, G.stuck],
      ['dev-b', 'denied', 403, G.stuck],
      ['user-1', 'denied', 403, G.stuck],
    ]);
  });

  test('the starter may cancel their own start; the plain answer is 409 GROUP_OPERATION_CANCELLED with the result', async (t) => {
    const { app, base } = await listenTestApp(t, env, { groups });
    const devA = await bearer(app, 'developer', 'dev-a');
    assert.equal((await inspectState(names.never)).Running, false, 'starts from stopped');
    const ready = runningSeen(app, names.never);
    const start = fetch(`${base}/api/v1/services/${G.stuck}/start?stepTimeout=300`, { method: 'POST', headers: devA });
    await ready;
    const asked = Date.now();
    const cancel = await app.inject({ method: 'DELETE', url: `/api/v1/services/${G.stuck}/operation`, headers: devA });
    assert.equal(cancel.statusCode, 200, cancel.body);
    const res = await start;
    assert.ok(Date.now() - asked < 3_000, 'the start answered promptly');
    assert.equal(res.status, 409);
    const body = (await res.json()) as ErrorBody & { error: { details: { result: Result } } };
    assert.equal(body.error.code, 'GROUP_OPERATION_CANCELLED');
    assert.match(body.error.message, /cancelled by dev-a/);
    assert.equal(body.error.details.result.cancelled?.by, 'dev-a');
    const stop = await app.inject({ method: 'POST', url: `/api/v1/services/${G.stuck}/stop?timeout=0`, headers: devA });
    assert.equal(stop.statusCode, 200, stop.body);
    assert.equal((await inspectState(names.never)).Running, false);
  });
});

describe('18.12: groups the caller may not see stay hidden', () => {
  test('a developer limited to the app group sees neither its hidden dependencies nor their status', async (t) => {
    const { app } = await listenTestApp(t, env, { groups });
    const dev = await bearer(app, 'developer', 'dev-app', [G.app]);
    assert.equal((await app.inject({ url: `/api/v1/services/${G.core}`, headers: dev })).statusCode, 404);

    const details = await app.inject({ url: `/api/v1/services/${G.app}`, headers: dev });
    assert.equal(details.statusCode, 200);
    const d = details.json() as { dependsOn: string[]; dependencies: unknown[]; memberList: { name: string }[] };
    assert.deepEqual(d.dependencies, [], 'no hidden dependency status');
    assert.deepEqual(d.dependsOn, [], 'not even their names');
    assert.deepEqual(d.memberList.map((m) => m.name), [names.app]);

    const list = (await app.inject({ url: '/api/v1/services', headers: dev })).json() as { groups: { name: string; dependsOn: string[] }[] };
    assert.deepEqual(list.groups, list.groups.filter((g) => g.name === G.app));
    assert.deepEqual(list.groups.map((g) => [g.name, g.dependsOn]), [[G.app, []]]);
    for (const hidden of [G.found, G.core, names.found, names.core]) {
      assert.ok(!details.body.includes(hidden) && !JSON.stringify(list).includes(hidden), `${hidden} does not show`);
    }

    // An admin still sees the whole chain.
    const adminView = (await app.inject({ url: `/api/v1/services/${G.app}` })).json() as { dependsOn: string[]; dependencies: { name: string }[] };
    assert.deepEqual(adminView.dependsOn, [G.core]);
    assert.deepEqual(adminView.dependencies.map((x) => x.name), [G.found, G.core]);
  });

  test('withDependencies reaching a hidden group is refused (403) without naming it; a plain start streams only visible groups', async (t) => {
    const { app, base } = await listenTestApp(t, env, { groups });
    const dev = await bearer(app, 'developer', 'dev-app', [G.app]);
    const before = await Promise.all([names.found, names.core, names.app].map((n) => inspectState(n)));
    const refused = await app.inject({ method: 'POST', url: `/api/v1/services/${G.app}/start?withDependencies=true`, headers: dev });
    assert.equal(refused.statusCode, 403, refused.body);
    const { code, message } = (refused.json() as ErrorBody).error;
    assert.equal(code, 'FORBIDDEN');
    for (const hidden of [G.found, G.core]) assert.ok(!message.includes(hidden), `the refusal does not name ${hidden}: ${message}`);
    assert.deepEqual(await Promise.all([names.found, names.core, names.app].map((n) => inspectState(n))), before, 'the refused start changed nothing');

    // Stopping the foundation with its dependants would reach app but also core: refused the same way.
    const devFound = await bearer(app, 'developer', 'dev-found', [G.found, G.app]);
    const stopDown = await app.inject({ method: 'POST', url: `/api/v1/services/${G.found}/stop?withDependencies=true&timeout=0`, headers: devFound });
    assert.equal(stopDown.statusCode, 403);
    assert.ok(!(stopDown.json() as ErrorBody).error.message.includes(G.core));

    const stream = await SseClient.open(`${base}/api/v1/services/${G.app}/start?stepTimeout=30`, dev, 'POST');
    t.after(() => stream.close());
    const result = await stream.waitFor((e) => e.event === 'result', 30_000, 'the result');
    assert.equal((result.data as Result).ok, true, stream.body);
    assert.deepEqual((stream.events.find((e) => e.event === 'accepted')?.data as { groups: string[] }).groups, [G.app]);
    for (const hidden of [G.found, G.core, names.found, names.core]) assert.ok(!stream.body.includes(hidden), `the stream does not mention ${hidden}`);
    assert.equal((await inspectState(names.app)).Running, true);
    assert.equal((await inspectState(names.core)).Running, false, 'the hidden dependency was not started');
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/services/${G.app}/stop?timeout=0`, headers: dev })).statusCode, 200);
  });
});
