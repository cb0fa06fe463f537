import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Schema from 'typebox/schema';
import { authFetch, listenTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { SseClient, type SseEvent } from '../helpers/sse-client.js';
import { parseGroups } from '../../src/groups/load.js';

/**
 * Every event a real stream sends matches what the served OpenAPI document says of it: the
 * route's 200 answer has a `text/event-stream` entry whose schema (a component) is the union
 * of `{event, id?, data}` messages, `data` being the event's named payload component.
 */

const fixture = new Fixture();
const group = `sse-${fixture.runId}`;
const member = `gdm-t-ssedoc-${fixture.runId}-member`;
const groups = parseGroups({ groups: { [group]: { members: [{ name: member }] } } });
const env = { ADMIN_SERVICES: group };

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

/** Checks one stream's events against the document the service serves. */
async function streamChecker(base: string, path: string, method: 'get' | 'post'): Promise<{ component: string; check: (events: SseEvent[]) => void }> {
  const document = (await (await authFetch(`${base}/openapi.json`)).json()) as OpenApiDocument;
  const ref = document.paths[path]?.[method]?.responses['200']?.content?.['text/event-stream']?.schema.$ref;
  assert.ok(ref, `${method.toUpperCase()} ${path} documents its text/event-stream answer`);
  const component = ref.replace('#/components/schemas/', '');
  assert.ok(document.components.schemas[component], `${component} is a component`);
  const validator = Schema.Compile({ $ref: ref, components: document.components } as never);
  return {
    component,
    check(events) {
      assert.ok(events.length > 0, 'the stream sent events');
      for (const e of events) {
        const message = { event: e.event, ...(e.id === undefined ? {} : { id: e.id }), data: e.data };
        const [ok, errors] = validator.Errors(message);
        assert.ok(ok, `${e.event} event matches ${component}: ${JSON.stringify(message)} ${JSON.stringify(errors)}`);
      }
    },
  };
}

const names = (events: SseEvent[]) => [...new Set(events.map((e) => e.event))];

before(async () => {
  await requireEngine();
  await fixture.run({ name: member, createOnly: true, stopSignalFast: true });
});
after(() => fixture.cleanup());

describe('stream events match their OpenAPI components', () => {
  test('/events: ready, snapshot and a container change match ContainerEventsMessage', async (t) => {
    const { base } = await listenTestApp(t, env, { groups });
    const { component, check } = await streamChecker(base, '/api/v1/events', 'get');
    assert.equal(component, 'ContainerEventsMessage');
    const events = await SseClient.open(`${base}/api/v1/events?snapshot=true`);
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'snapshot', 10_000, 'snapshot');
    const { name } = await fixture.run({ command: ['sleep', '3600'], stopSignalFast: true });
    await events.waitFor((e) => e.event === 'container' && (e.data as { name: string }).name === name, 10_000, 'the new container');
    assert.deepEqual(names(events.events).sort(), ['container', 'ready', 'snapshot']);
    check(events.events);
  });

  test('logs?follow=true: open, log lines and end match LogStreamMessage', async (t) => {
    const { base } = await listenTestApp(t, env, { groups });
    const { component, check } = await streamChecker(base, '/api/v1/containers/{id}/logs', 'get');
    assert.equal(component, 'LogStreamMessage');
    const { name } = await fixture.run({ command: ['sh', '-c', 'echo one; echo two >&2; exec sleep 3600'], stopSignalFast: true });
    const logs = await SseClient.open(`${base}/api/v1/containers/${name}/logs?follow=true&timestamps=true`);
    t.after(() => logs.close());
    await logs.waitFor((e) => e.event === 'log' && (e.data as { text: string }).text === 'two', 10_000, 'the stderr line');
    await docker('stop', name);
    await logs.waitFor((e) => e.event === 'end', 15_000, 'end');
    assert.deepEqual(names(logs.events), ['open', 'log', 'end']);
    check(logs.events);
  });

  test('stats?stream=true and /stats?stream=true match their messages', async (t) => {
    const { base } = await listenTestApp(t, env, { groups });
    const one = await streamChecker(base, '/api/v1/containers/{id}/stats', 'get');
    const all = await streamChecker(base, '/api/v1/stats', 'get');
    assert.deepEqual([one.component, all.component], ['ContainerStatsStreamMessage', 'StatsSetStreamMessage']);
    const { name } = await fixture.run({ command: ['sleep', '3600'], stopSignalFast: true });
    const stats = await SseClient.open(`${base}/api/v1/containers/${name}/stats?stream=true`);
    const set = await SseClient.open(`${base}/api/v1/stats?stream=true&name=${name}`);
    t.after(() => (stats.close(), set.close()));
    await stats.waitFor((e) => e.event === 'stats', 15_000, 'a sample');
    await set.waitFor((e) => e.event === 'stats', 15_000, 'a set');
    await docker('stop', name);
    await stats.waitFor((e) => e.event === 'end', 15_000, 'end');
    one.check(stats.events);
    all.check(set.events);
  });

  test('a group start streamed: accepted, progress and result match GroupStreamMessage', async (t) => {
    const { base } = await listenTestApp(t, env, { groups });
    const { component, check } = await streamChecker(base, '/api/v1/services/{group}/start', 'post');
    assert.equal(component, 'GroupStreamMessage');
    const start = await SseClient.open(`${base}/api/v1/services/${group}/start?stepTimeout=30`, {}, 'POST');
    t.after(() => start.close());
    assert.equal(start.status, 200, start.body);
    await start.waitForEnd(40_000);
    assert.deepEqual(names(start.events), ['accepted', 'progress', 'result']);
    assert.equal((start.events.at(-1)?.data as { ok: boolean }).ok, true, start.body);
    check(start.events);
  });

  test('the common ends, error (access revoked) and shutdown, match StreamErrorEvent and ShutdownEvent', async (t) => {
    const { app, base } = await listenTestApp(t, env, { groups });
    const { check } = await streamChecker(base, '/api/v1/events', 'get');
    const subject = `sse-doc-${fixture.runId}`;
    const token = (await app.access.tokens.sign({ sub: subject, role: 'user', groups: [group] })).token;
    const revoked = await SseClient.open(`${base}/api/v1/events`, { authorization: `Bearer ${token}` });
    const closed = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => (revoked.close(), closed.close()));
    await revoked.waitFor((e) => e.event === 'ready', 10_000, 'ready');
    await closed.waitFor((e) => e.event === 'ready', 10_000, 'ready');
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/subjects/${subject}/revoke-tokens` })).statusCode, 200);
    await revoked.waitFor((e) => e.event === 'error', 10_000, 'the error end');
    const closing = app.close();
    await closed.waitFor((e) => e.event === 'shutdown', 10_000, 'shutdown');
    await closing;
    check([...revoked.events, ...closed.events]);
  });
});
