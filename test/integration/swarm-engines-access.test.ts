import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { authFetch, listenTestApp, type TestApp } from '../helpers/app.js';
import { dockerOn, requireTestEngines, type TestEngine } from '../helpers/test-engines.js';
import { writeEnginesFile } from '../helpers/engines-file.js';
import { storeRunning, SwarmFixture, untilSwarm } from '../helpers/swarm.js';
import { requireEngine, uniqueName } from '../helpers/docker-cli.js';
import { SseClient } from '../helpers/sse-client.js';

// Swarm with several engines: the first engine (`local`) is no manager, e2 is. A caller
// limited to engines that exclude e2 never sees e2's services, tasks, logs, stats or nodes.

interface ServiceList {
  engines: { engine: string; manager: boolean }[];
  services: { engine: string; id: string; name: string; replicas: { desired: number; running: number } }[];
}

let e2: TestEngine;
let swarm: SwarmFixture;
let app: TestApp;
let base = '';
let closeApp: () => Promise<void> = async () => undefined;
const cleanups: (() => void | Promise<void>)[] = [];
let service = '';
let serviceId = '';

before(async () => {
  await requireEngine();
  ({ e2 } = await requireTestEngines());
  const runId = uniqueName('swarm-eng').slice(-8);
  swarm = new SwarmFixture(e2, runId);
  service = `gdm-t-swarm-eng-${runId}`;
  serviceId = await swarm.create({ name: service, replicas: 1 });
  const file = writeEnginesFile((fn) => cleanups.push(fn), [e2]);
  ({ app, base } = await listenTestApp({ after: (fn: () => Promise<void>) => cleanups.push(fn) }, { ENGINES_FILE: file, SSE_HEARTBEAT_MS: '1000' }));
  closeApp = async () => {
    for (const fn of cleanups.reverse()) await fn();
  };
  await untilSwarm(app, () => storeRunning(app, service, 'e2').length === 1, 60_000, '1 running task', 'e2');
});

after(async () => {
  await closeApp();
  await swarm?.cleanup();
});

const as = (auth: string) => (url: string, init: RequestInit = {}) => authFetch(`${base}/api/v1${url}`, { ...init, headers: { authorization: auth, ...(init.headers ?? {}) } });

test("e2's services carry engine e2; the first engine is listed as no manager; ?engine= and e2:ref pick the engine", async () => {
  const get = as(String(app.authHeaders.authorization));
  const all = (await (await get('/swarm/services')).json()) as ServiceList;
  assert.deepEqual(
    all.engines.map((e) => [e.engine, e.manager]).sort(),
    [['e2', true], ['local', false]],
  );
  const mine = all.services.find((s) => s.name === service);
  assert.equal(mine?.engine, 'e2');
  assert.equal(mine?.id, serviceId);
  const onE2 = (await (await get('/swarm/services?engine=e2')).json()) as ServiceList;
  assert.ok(onE2.services.some((s) => s.id === serviceId) && onE2.services.every((s) => s.engine === 'e2'));
  const onLocal = (await (await get('/swarm/services?engine=local')).json()) as ServiceList;
  assert.deepEqual([onLocal.engines, onLocal.services], [[{ engine: 'local', localNodeState: 'inactive', manager: false, nodeId: null }], []]);
  for (const ref of [`e2:${service}`, `${service}?engine=e2`, `e2:${serviceId.slice(0, 10)}`]) {
    const r = await get(`/swarm/services/${ref}`);
    assert.equal(r.status, 200, ref);
    assert.equal(((await r.json()) as { engine: string }).engine, 'e2');
  }
  assert.equal((await get(`/swarm/services/local:${service}`)).status, 404, 'not on the first engine');
  assert.equal((await get(`/swarm/services/e2:${service}?engine=local`)).status, 400, 'two engines named');
  const nodes = (await (await get('/swarm/nodes')).json()) as { nodes: { engine: string }[] };
  assert.ok(nodes.nodes.length >= 1 && nodes.nodes.every((n) => n.engine === 'e2'));
});

test('a caller limited to engines without e2 gets 404 for its services, tasks, logs, stats and nodes, and lists none of them', async (t) => {
  const limited = as(`Bearer ${await app.tokenFor('developer', { groups: ['*'], engines: ['local'] })}`);
  const list = (await (await limited('/swarm/services')).json()) as ServiceList;
  assert.deepEqual(list.engines.map((e) => e.engine), ['local'], 'e2 is not listed');
  assert.ok(!list.services.some((s) => s.engine === 'e2'));
  assert.deepEqual(((await (await limited('/swarm/stacks')).json()) as { stacks: { engine: string }[] }).stacks.filter((s) => s.engine === 'e2'), []);
  assert.deepEqual(((await (await limited('/swarm/nodes')).json()) as { nodes: unknown[] }).nodes, [], 'no node of e2');
  assert.equal((await limited('/swarm/nodes?engine=e2')).status, 404);
  assert.equal((await limited('/swarm/services?engine=e2')).status, 404);
  for (const ref of [service, serviceId, serviceId.slice(0, 10), `e2:${service}`, `${service}?engine=e2`]) {
    assert.equal((await limited(`/swarm/services/${ref}`)).status, 404, `details (with its tasks) ${ref}`);
    assert.equal((await limited(`/swarm/services/${ref.replace('?', '/logs?')}`)).status, 404, `logs ${ref}`);
    assert.equal((await limited(`/swarm/services/${ref.replace('?', '/stats?')}`)).status, 404, `stats ${ref}`);
  }
  const scaled = await limited(`/swarm/services/e2:${service}/scale`, { method: 'POST', body: JSON.stringify({ replicas: 3 }), headers: { 'content-type': 'application/json' } });
  assert.equal(scaled.status, 404);
  assert.equal((await dockerOn(e2, 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', service)).trim(), '1', 'nothing changed on e2');

  // An admin limited to the first engine may not drain e2's node either (it does not exist for it).
  const admin = as(`Bearer ${await app.tokenFor('admin', { engines: ['local'] })}`);
  const nodeId = (await dockerOn(e2, 'node', 'inspect', 'self', '--format', '{{.ID}}')).trim();
  for (const ref of [nodeId, `e2:${nodeId}`]) assert.equal((await admin(`/swarm/nodes/${ref}/drain`, { method: 'POST' })).status, 404, ref);
  assert.equal((await dockerOn(e2, 'node', 'inspect', 'self', '--format', '{{.Spec.Availability}}')).trim(), 'active');

  // Events: a change of e2's service reaches a caller who sees e2, never the limited one.
  const full = await SseClient.open(`${base}/api/v1/swarm/events`, app.authHeaders);
  const hidden = await SseClient.open(`${base}/api/v1/swarm/events`, { authorization: `Bearer ${await app.tokenFor('developer', { groups: ['*'], engines: ['local'] })}` });
  t.after(() => {
    full.close();
    hidden.close();
  });
  // Both streams are subscribed once their headers arrived (the route subscribes as it opens them).
  const r = await app.inject({ method: 'POST', url: `/api/v1/swarm/services/e2:${service}/scale`, payload: { replicas: 2 }, headers: app.authHeaders });
  assert.equal(r.statusCode, 200, r.body);
  await full.waitFor((e) => e.event === 'swarm' && (e.data as { serviceId?: string }).serviceId === serviceId, 30_000, 'a change of the service');
  // Writes on one stream arrive in order: two heartbeats after the change (1 s apart) mean an event sent with it would have come.
  await hidden.waitForComments('heartbeat', hidden.comments.filter((c) => c === 'heartbeat').length + 2, 5_000);
  assert.ok(!hidden.events.some((e) => e.event === 'swarm'), 'nothing of e2 on the limited stream');
});
