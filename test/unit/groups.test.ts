import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GroupCatalog, type Classifiable } from '../../src/groups/catalog.js';
import { findCycle, globToRegExp, GroupsFileError, loadGroupsFile, parseGroups } from '../../src/groups/load.js';
import { unreachableGroups, warnUnreachableGroups } from '../../src/groups/reach.js';
import { groupStatus } from '../../src/groups/group-service.js';

function c(name: string, labels: Record<string, string> = {}, compose: [string, string] | null = null): Classifiable {
  return { id: `${name}-id`, name, labels, composeProject: compose?.[0] ?? null, composeService: compose?.[1] ?? null };
}

function refused(data: unknown, reason: RegExp): void {
  assert.throws(() => parseGroups(data, 'g.yaml'), (err: unknown) => err instanceof GroupsFileError && reason.test(err.message), String(reason));
}

describe('groups file validation', () => {
  test('the shipped default file has the four tiers, each depending on the one before', () => {
    const groups = loadGroupsFile(join(import.meta.dirname, '../../config/service-groups.yaml'));
    assert.deepEqual(groups.map((g) => [g.name, g.dependsOn]), [
      ['foundation', []],
      ['core', ['foundation']],
      ['application', ['core']],
      ['support', ['application']],
    ]);
  });

  test('the Lucid platform example is valid', () => {
    const groups = loadGroupsFile(join(import.meta.dirname, '../../config/examples/lucid-platform.service-groups.yaml'));
    assert.ok(groups.some((g) => g.name === 'gui-integration'));
  });

  test('unknown group, self dependency and cycles are refused with the path', () => {
    refused({ groups: { a: { dependsOn: ['nope'] } } }, /group a depends on unknown group nope/);
    refused({ groups: { a: { dependsOn: ['a'] } } }, /depends on itself/);
    refused({ groups: { a: { dependsOn: ['b'] }, b: { dependsOn: ['c'] }, c: { dependsOn: ['a'] } } }, /cycle between groups: a → b → c → a/);
  });

  test('bad selectors are refused', () => {
    refused({ groups: { a: { members: [{}] } } }, /exactly one of name, pattern, label, compose, swarm \(has none\)/);
    refused({ groups: { a: { members: [{ name: 'x', pattern: 'y*' }] } } }, /has name, pattern/);
    refused({ groups: { a: { members: [{ name: 'bad name' }] } } }, /members\/0\/name/);
    refused({ groups: { a: { members: [{ pattern: 'a/b' }] } } }, /pattern/);
    refused({ groups: { a: { members: [{ compose: { project: 'UPPER' } }] } } }, /compose\/project/);
    refused({ groups: { a: { members: [{ name: 'x', color: 'red' }] } } }, /\/groups\/a\/members\/0/);
    refused({ groups: { 'bad/name': {} } }, /group name "bad\/name" must match/);
    refused({ nope: 1 }, /\//);
  });

  test('member references: unknown, duplicate ids, cycles, order contradictions', () => {
    refused({ groups: { a: { members: [{ name: 'x', dependsOn: ['y'] }] } } }, /member x of group a depends on unknown member y/);
    refused({ groups: { a: { members: [{ name: 'x' }, { name: 'x' }] } } }, /two members with id x/);
    refused({ groups: { a: { members: [{ name: 'x', dependsOn: ['y'] }, { name: 'y', dependsOn: ['x'] }] } } }, /cycle among members of group a/);
    refused({ groups: { a: { members: [{ name: 'x', order: 0, dependsOn: ['y'] }, { name: 'y', order: 5 }] } } }, /depends on y, which has a later order/);
  });

  test('files that cannot be read or parsed say so', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gdm-groups-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    assert.throws(() => loadGroupsFile(join(dir, 'missing.yaml')), /cannot read it \(ENOENT\)/);
    writeFileSync(join(dir, 'bad.yaml'), 'groups: [unclosed');
    assert.throws(() => loadGroupsFile(join(dir, 'bad.yaml')), /not valid YAML/);
  });

  test('globs and cycle finding', () => {
    assert.ok(globToRegExp('tron-*').test('tron-payout-router'));
    assert.ok(!globToRegExp('tron-*').test('lucid-tron-client'));
    assert.ok(globToRegExp('db-?').test('db-1') && !globToRegExp('db-?').test('db-10'));
    assert.ok(globToRegExp('a.b').test('a.b') && !globToRegExp('a.b').test('axb'));
    assert.equal(findCycle(new Map([['a', ['b']], ['b', []]])), undefined);
  });
});

describe('GroupCatalog', () => {
  const groups = parseGroups({
    groups: {
      foundation: {
        members: [
          { name: 'db', order: 0 },
          { pattern: 'cache-*', order: 0 },
          { name: 'auth', dependsOn: ['db'], order: 1 },
          { compose: { project: 'lucid', service: 'search' }, order: 1 },
          { label: 'tier=base' },
        ],
      },
      core: { dependsOn: ['foundation'], members: [{ name: 'api' }] },
      apps: { dependsOn: ['core'] },
      gui: { dependsOn: ['core'] },
    },
  });
  const catalog = new GroupCatalog(groups, ['gdm.group', 'lucid.cluster']);

  test('membership by name, glob, label, compose and any group-label key', () => {
    assert.deepEqual(catalog.groupsOf(c('db')), ['foundation']);
    assert.deepEqual(catalog.groupsOf(c('cache-1')), ['foundation']);
    assert.deepEqual(catalog.groupsOf(c('x', { tier: 'base' })), ['foundation']);
    assert.deepEqual(catalog.groupsOf(c('lucid-search-1', {}, ['lucid', 'search'])), ['foundation']);
    assert.deepEqual(catalog.groupsOf(c('lucid-other-1', {}, ['lucid', 'other'])), []);
    assert.deepEqual(catalog.groupsOf(c('y', { 'lucid.cluster': 'apps' })), ['apps']);
    assert.deepEqual(catalog.groupsOf(c('api', { 'gdm.group': 'gui' })), ['core', 'gui'], 'several groups, file order');
    assert.deepEqual(catalog.groupsOf(c('z', { 'gdm.group': 'nonexistent' })), []);
  });

  test('steps follow order and dependsOn; same step sorted by name', () => {
    const all = [c('auth'), c('cache-2'), c('db'), c('cache-1'), c('search', {}, ['lucid', 'search']), c('odd', { tier: 'base' })];
    const steps = catalog.steps(catalog.membersOf(groups[0]!, all)).map((s) => s.map((x) => x.name));
    assert.deepEqual(steps, [['cache-1', 'cache-2', 'db', 'odd'], ['auth', 'search']]);
  });

  test('dependsOn chains give more steps', () => {
    const g = parseGroups({ groups: { a: { members: [{ name: 'c', dependsOn: ['b'] }, { name: 'b', dependsOn: ['a'] }, { name: 'a' }] } } });
    const cat = new GroupCatalog(g, ['gdm.group']);
    assert.deepEqual(cat.steps(cat.membersOf(g[0]!, [c('c'), c('b'), c('a')])).map((s) => s.map((x) => x.name)), [['a'], ['b'], ['c']]);
  });

  test('dependencies in start order, dependants in stop order', () => {
    assert.deepEqual(catalog.dependenciesOf('apps'), ['foundation', 'core']);
    assert.deepEqual(catalog.dependenciesOf('foundation'), []);
    const dependants = catalog.dependantsOf('foundation');
    assert.equal(dependants.at(-1), 'core', 'core stops after the groups that need it');
    assert.deepEqual(new Set(dependants), new Set(['apps', 'gui', 'core']));
  });
});

describe('groupStatus', () => {
  const m = (state: string, health = 'none') => ({ state, health: health as 'none' });
  test('one word for a group', () => {
    assert.equal(groupStatus([]), 'empty');
    assert.equal(groupStatus([m('running'), m('running', 'healthy')]), 'running');
    assert.equal(groupStatus([m('running'), m('exited')]), 'partial');
    assert.equal(groupStatus([m('exited'), m('created')]), 'stopped');
    assert.equal(groupStatus([m('running', 'unhealthy'), m('running')]), 'unhealthy');
  });
});

describe('groups no role can reach', () => {
  const tiers = ['foundation', 'core', 'application', 'support', 'gui-integration'];
  const old = { user: ['foundation', 'core'], developer: ['foundation', 'core', 'application'], admin: ['foundation', 'core', 'application', 'support'] };

  test('a group in no role list is unreachable; * in any list reaches every group', () => {
    assert.deepEqual(unreachableGroups(tiers, old), ['gui-integration']);
    assert.deepEqual(unreachableGroups(tiers, { ...old, admin: ['*'] }), []);
    assert.deepEqual(unreachableGroups(tiers, { ...old, user: ['gui-integration', '*'] }), []);
    assert.deepEqual(unreachableGroups(tiers, { user: [], developer: [], admin: ['core'] }), ['foundation', 'application', 'support', 'gui-integration']);
  });

  test('one warning names them all and the variables to change; none when every group is reached', () => {
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m) };
    assert.deepEqual(warnUnreachableGroups(log, tiers, { ...old, admin: ['foundation'] }), ['support', 'gui-integration']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /USER_SERVICES, DEVELOPER_SERVICES, ADMIN_SERVICES\): support, gui-integration\./);
    assert.match(warnings[0] ?? '', /use \* for every group/);
    warnUnreachableGroups(log, tiers, { ...old, admin: ['*'] });
    assert.equal(warnings.length, 1, 'nothing more to say');
  });
});
