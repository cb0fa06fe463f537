import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listenTestApp } from '../helpers/app.js';
import { Fixture, requireEngine } from '../helpers/docker-cli.js';
import { SseClient } from '../helpers/sse-client.js';
import { UserService } from '../../src/access/users.js';
import { openDatabase } from '../../src/storage/database.js';
import { createUser, login } from '../helpers/users.js';

/**
 * Security audit (issue 18) item 2: an open stream must not outlive the right to it.
 * The heartbeat stays at its default (15 s) where a change must end streams at once, so
 * a stream that ends within the 5 s bound ended because of the change, not a heartbeat.
 */

const SECRET = 'security-streams-secret-0123456789abcdef';
const PROMPTLY_MS = 5000;
const suffix = randomBytes(3).toString('hex');
const fixture = new Fixture();
let target: { id: string; name: string };

before(async () => {
  await requireEngine();
  // A container the test users may see (group core), writing a line every 0.2 s.
  target = await fixture.run({ labels: { 'gdm.group': 'core' }, stopSignalFast: true, command: ['sh', '-c', 'while true; do echo tick; sleep 0.2; done'] });
});
after(() => fixture.cleanup());

/** Opens the long-lived streams a user can hold and waits until each is live. */
async function openStreams(t: { after: (fn: () => void) => void }, base: string, token: string): Promise<Record<string, SseClient>> {
  const headers = { authorization: `Bearer ${token}` };
  const streams = {
    events: await SseClient.open(`${base}/api/v1/events`, headers),
    logs: await SseClient.open(`${base}/api/v1/containers/${target.name}/logs?follow=true&tail=1`, headers),
    stats: await SseClient.open(`${base}/api/v1/containers/${target.name}/stats?stream=true`, headers),
    statsSet: await SseClient.open(`${base}/api/v1/stats?stream=true`, headers),
  };
  for (const s of Object.values(streams)) t.after(() => s.close());
  for (const [name, s] of Object.entries(streams)) assert.equal(s.status, 200, `${name}: ${s.body}`);
  await streams.events.waitFor((e) => e.event === 'ready', PROMPTLY_MS, 'events ready');
  await streams.logs.waitFor((e) => e.event === 'log', PROMPTLY_MS, 'a log line');
  await streams.stats.waitFor((e) => e.event === 'stats', PROMPTLY_MS, 'container stats');
  await streams.statsSet.waitFor((e) => e.event === 'stats', PROMPTLY_MS, 'stats set');
  return streams;
}

/** Each stream sends `error` {code} saying why, then ends — within the bound. */
async function assertAllEnd(streams: Record<string, SseClient>, code: string, why: string): Promise<void> {
  await Promise.all(
    Object.entries(streams).map(async ([name, s]) => {
      const ended = await s.waitFor((e) => e.event === 'error', PROMPTLY_MS, `${name}: error event after ${why}`);
      assert.equal((ended.data as { code: string }).code, code, `${name} after ${why}`);
      await s.waitForEnd(PROMPTLY_MS);
    }),
  );
}

describe('security audit: open streams end with the right to them (item 2)', () => {
  test('item 2: disable, delete, logout, group change, revocation and token expiry end open streams promptly with an error event', async (t) => {
    const { app, base } = await listenTestApp(t, { JWT_SECRET_KEY: SECRET, JWT_CLOCK_TOLERANCE_SECONDS: '0' });
    const changes: Record<string, (id: number, token: string) => Promise<{ statusCode: number }>> = {
      disable: (id) => app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { disabled: true } }),
      delete: (id) => app.inject({ method: 'DELETE', url: `/api/v1/users/${id}` }),
      logout: (_id, token) => app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } }),
      groups: (id) => app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { groups: ['support'] } }),
      role: (id) => app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { role: 'user' } }),
      revoke: (id) => app.inject({ method: 'POST', url: `/api/v1/users/${id}/revoke-tokens` }),
    };
    for (const [change, apply] of Object.entries(changes)) {
      const username = `sse-${change}-${suffix}`;
      const id = await createUser(app, username, 'developer', ['core']);
      const token = await login(app, username);
      const streams = await openStreams(t, base, token);
      const res = await apply(id, token);
      assert.equal(res.statusCode, 200, `${change} applied`);
      await assertAllEnd(streams, 'UNAUTHORIZED', change);
    }

    // A token that is not a local user's, revoked by subject.
    const platform = (await app.access.tokens.sign({ sub: `sse-platform-${suffix}`, role: 'developer', groups: ['core'] })).token;
    const platformStreams = await openStreams(t, base, platform);
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/subjects/sse-platform-${suffix}/revoke-tokens` })).statusCode, 200);
    await assertAllEnd(platformStreams, 'UNAUTHORIZED', 'subject revocation');

    // A short-lived token: the streams end when it expires, not at the next heartbeat.
    const shortLived = await app.access.tokens.sign({ sub: `sse-expiring-${suffix}`, role: 'developer', groups: ['core'] }, 3);
    const expiring = await openStreams(t, base, shortLived.token);
    await assertAllEnd(expiring, 'UNAUTHORIZED', 'expiry');
    assert.ok(Date.now() >= shortLived.expiresAt * 1000, 'not before the token expired');
    assert.ok(Date.now() < shortLived.expiresAt * 1000 + PROMPTLY_MS, 'promptly after');

    // The admin's own stream, opened alongside, is untouched by all this.
    const admin = await SseClient.open(`${base}/api/v1/events`);
    t.after(() => admin.close());
    await admin.waitFor((e) => e.event === 'ready');
    assert.equal(admin.ended, false);
  });

  test('item 2 (heartbeat): a change made by another process (the CLI on the same database) ends open streams at the next heartbeat', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gdm-test-data-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const { app, base } = await listenTestApp(t, { JWT_SECRET_KEY: SECRET, DATA_DIR: dataDir, SSE_HEARTBEAT_MS: '1000' });
    const username = `sse-cli-${suffix}`;
    await createUser(app, username, 'developer', ['core']);
    const streams = await openStreams(t, base, await login(app, username));
    // What `gui-docker-manager user disable` does: its own connection, no event reaches the server.
    const db = openDatabase(dataDir);
    try {
      const other = new UserService(db);
      const user = other.list().find((u) => u.username === username)!;
      other.update(user.id, { disabled: true });
    } finally {
      db.close();
    }
    await assertAllEnd(streams, 'UNAUTHORIZED', 'a change by another process');
  });
});
