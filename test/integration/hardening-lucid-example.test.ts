import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { Fixture, requireEngine } from '../helpers/docker-cli.js';
import { loadConfig } from '../../src/config.js';

/**
 * 11.4: the shipped Lucid example, started as its header says, must not hide the GUI's own
 * containers from admins. The example names real containers (tor-proxy, api-gateway, …),
 * so the test runs a copy whose member names and patterns carry this run's suffix, and
 * stand-ins named the same way: no other container on the shared engine can match.
 */
const EXAMPLE = fileURLToPath(new URL('../../config/examples/lucid-platform.service-groups.yaml', import.meta.url));
const TIERS = ['foundation', 'core', 'application', 'support', 'gui-integration'];
const fixture = new Fixture();
const suffix = `gdmt${fixture.runId}`;
const standIns: Record<string, string[]> = {
  foundation: ['tor-proxy', 'lucid-auth-service'],
  core: ['api-gateway'],
  application: ['session-api'],
  support: ['lucid-tron-client', 'tron-payout-router'], // the second by the tron-* pattern
  'gui-integration': ['lucid-gui-api-bridge', 'lucid-admin-interface'],
};
const named = (n: string) => `${n}-${suffix}`;
let dir: string;
let groupsFile: string;
let ungrouped: { name: string };

interface ExampleMember {
  name?: string;
  pattern?: string;
  dependsOn?: string[];
}

/** The example with every member name, pattern and member reference suffixed. */
function suffixedCopy(): string {
  const doc = parseYaml(readFileSync(EXAMPLE, 'utf8')) as { groups: Record<string, { members?: ExampleMember[] }> };
  for (const group of Object.values(doc.groups)) {
    for (const m of group.members ?? []) {
      if (m.name) m.name = named(m.name);
      if (m.pattern) m.pattern = named(m.pattern);
      if (m.dependsOn) m.dependsOn = m.dependsOn.map(named);
    }
  }
  const path = join(dir, 'lucid.service-groups.yaml');
  writeFileSync(path, stringifyYaml(doc));
  return path;
}

/** `VAR=value` lines of the example's header comment. */
function headerVariables(): Record<string, string> {
  const header = readFileSync(EXAMPLE, 'utf8').split(/^groups:/m)[0] ?? '';
  return Object.fromEntries([...header.matchAll(/^#\s+([A-Z][A-Z0-9_]*)=(\S+)\s*$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

/** Started as the example says: its label keys and (a copy of) its file, nothing else. */
const lucidEnv = () => ({ GROUP_LABEL: 'lucid.cluster,com.lucid.cluster,gdm.group', SERVICE_GROUPS_FILE: groupsFile });

before(async () => {
  await requireEngine();
  dir = mkdtempSync(join(tmpdir(), 'gdm-lucid-'));
  groupsFile = suffixedCopy();
  await Promise.all(Object.values(standIns).flat().map((n) => fixture.run({ name: named(n), createOnly: true })));
  ungrouped = await fixture.run({ name: `gdm-t-lucid-ungrouped-${fixture.runId}`, createOnly: true });
});
after(async () => {
  await fixture.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function get(app: TestApp, url: string, authorization?: string) {
  return app.inject({ url, ...(authorization ? { headers: { authorization } } : {}) });
}

describe('11.4: the Lucid example and admins', () => {
  test('an admin sees all five tiers, lucid-gui-api-bridge, and ungrouped containers as before', async (t) => {
    const app = await buildTestApp(t, lucidEnv());
    const list = (await get(app, '/api/v1/services')).json() as { groups: { name: string }[] };
    assert.deepEqual(list.groups.map((g) => g.name), TIERS);
    for (const tier of TIERS) {
      const res = await get(app, `/api/v1/services/${tier}`);
      assert.equal(res.statusCode, 200, `${tier}: ${res.body}`);
      const members = (res.json() as { memberList: { name: string }[] }).memberList.map((m) => m.name);
      for (const n of standIns[tier] ?? []) assert.ok(members.includes(named(n)), `${tier} shows ${named(n)}`);
    }
    const bridge = await get(app, `/api/v1/containers/${named('lucid-gui-api-bridge')}`);
    assert.equal(bridge.statusCode, 200, bridge.body);
    assert.deepEqual((bridge.json() as { groups: string[] }).groups, ['gui-integration']);
    assert.equal((await get(app, `/api/v1/containers/${ungrouped.name}`)).statusCode, 200, 'admins still see ungrouped containers');

    // The other roles keep their lists.
    const user = `Bearer ${await app.tokenFor('user')}`;
    assert.deepEqual(((await get(app, '/api/v1/services', user)).json() as { groups: { name: string }[] }).groups.map((g) => g.name), ['foundation', 'core']);
    assert.equal((await get(app, '/api/v1/services/gui-integration', user)).statusCode, 404);
    assert.equal((await get(app, `/api/v1/containers/${ungrouped.name}`, user)).statusCode, 404);
  });

  test('* in any role\'s list means every group and the ungrouped containers', async (t) => {
    const app = await buildTestApp(t, { ...lucidEnv(), USER_SERVICES: '*' });
    const user = `Bearer ${await app.tokenFor('user')}`;
    assert.deepEqual(((await get(app, '/api/v1/services', user)).json() as { groups: { name: string }[] }).groups.map((g) => g.name), TIERS);
    assert.equal((await get(app, `/api/v1/containers/${named('lucid-gui-api-bridge')}`, user)).statusCode, 200);
    assert.equal((await get(app, `/api/v1/containers/${ungrouped.name}`, user)).statusCode, 200);
    const roles = (await get(app, '/api/v1/roles')).json() as { roles: { name: string; groups: string[]; seesUngrouped: boolean }[] };
    assert.deepEqual(roles.roles.map((r) => [r.name, r.groups, r.seesUngrouped]), [
      ['user', ['*'], true],
      ['developer', ['foundation', 'core', 'application'], false],
      ['admin', ['*'], true],
    ]);
  });

  test('the example\'s header lists every variable it needs, and they load', () => {
    const vars = headerVariables();
    for (const name of ['SERVICE_GROUPS_FILE', 'GROUP_LABEL', 'USER_SERVICES', 'DEVELOPER_SERVICES', 'ADMIN_SERVICES']) {
      assert.ok(vars[name], `the header names ${name}`);
    }
    const config = loadConfig(vars);
    assert.deepEqual(config.groups.labelKeys, ['lucid.cluster', 'com.lucid.cluster', 'gdm.group']);
    assert.equal(fileURLToPath(new URL(`../../${vars['SERVICE_GROUPS_FILE']}`, import.meta.url)), EXAMPLE, 'it points at the example itself');
    assert.deepEqual(config.auth.roleGroups.admin, ['*']);
  });

  test('at start, one warning names the tiers no role can reach', async (t) => {
    const start = async (env: Record<string, string>) => {
      const lines: { level: number; msg: string }[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
          done();
        },
      });
      await buildTestApp(t, { ...lucidEnv(), ...env }, { logger: pino({ level: 'warn' }, sink) });
      return lines.filter((l) => l.msg.includes('in no role'));
    };
    const old = await start({ ADMIN_SERVICES: 'foundation,core,application,support' });
    assert.equal(old.length, 1, 'said once');
    assert.equal(old[0]?.level, 40, 'as a warning');
    assert.match(old[0]?.msg ?? '', /: gui-integration\. /);
    assert.deepEqual(await start({}), [], 'nothing to say when admins see every group');
  });
});
