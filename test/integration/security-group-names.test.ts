import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listenTestApp } from '../helpers/app.js';
import { docker, Fixture, requireEngine } from '../helpers/docker-cli.js';
import { SseClient } from '../helpers/sse-client.js';

/**
 * Issue 18 item 12, the container side: a container in a group the caller sees and in one it
 * does not is shown, but the hidden group's name never is (list, filter, details, events).
 */
const fixture = new Fixture();
const VIS = `vis-${fixture.runId}`;
const HID = `hid-${fixture.runId}`;
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-groups-'));
const file = join(dir, 'groups.yaml');
let both: { id: string; name: string };

before(async () => {
  await requireEngine();
  // HID claims the container by name; VIS by its label: it belongs to both, HID first.
  writeFileSync(
    file,
    `groups:\n  ${HID}:\n    description: hidden\n    members:\n      - pattern: gdm-t-both-${fixture.runId}-*\n  ${VIS}:\n    description: visible\n`,
  );
  both = await fixture.run({ name: `gdm-t-both-${fixture.runId}-1`, labels: { 'gdm.group': VIS }, createOnly: true });
});
after(async () => {
  await fixture.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('hidden group names stay hidden on shared containers', () => {
  test('list, group filter, details and events name only the groups the caller sees', async (t) => {
    const { app, base } = await listenTestApp(t, { SERVICE_GROUPS_FILE: file });
    const authorization = `Bearer ${await app.tokenFor('user', { groups: [VIS] })}`;
    const admin = await app.inject({ url: `/api/v1/containers/${both.id}` });
    assert.deepEqual((admin.json() as { groups: string[] }).groups.sort(), [HID, VIS].sort(), 'the admin sees both groups');

    const list = ((await app.inject({ url: '/api/v1/containers?all=true', headers: { authorization } })).json() as { containers: { id: string; group: string | null; groups: string[] }[] }).containers;
    const mine = list.find((c) => c.id === both.id);
    assert.ok(mine, 'the container is listed for the user');
    assert.deepEqual(mine.groups, [VIS]);
    assert.equal(mine.group, VIS, 'the primary group is a visible one');
    const byHidden = (await app.inject({ url: `/api/v1/containers?all=true&group=${HID}`, headers: { authorization } })).json() as { containers: unknown[] };
    assert.deepEqual(byHidden.containers, [], 'filtering by a hidden group finds nothing');
    const details = (await app.inject({ url: `/api/v1/containers/${both.id}`, headers: { authorization } })).json() as { group: string | null; groups: string[] };
    assert.deepEqual(details.groups, [VIS]);
    assert.equal(details.group, VIS);

    const events = await SseClient.open(`${base}/api/v1/events`, { authorization });
    t.after(() => events.close());
    await events.waitFor((e) => e.event === 'ready');
    await docker('start', both.id);
    const change = await events.waitFor((e) => e.event === 'container' && (e.data as { id: string }).id === both.id);
    const data = change.data as { groups: string[]; container: { group: string | null; groups: string[] } };
    assert.deepEqual(data.groups, [VIS], 'the change names no hidden group');
    assert.deepEqual(data.container.groups, [VIS]);
    assert.equal(data.container.group, VIS);
  });
});
