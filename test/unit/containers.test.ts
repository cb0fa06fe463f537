import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerSummary } from '../../src/containers/container-view.js';
import { applyFilters, labelMatches } from '../../src/containers/container-service.js';

function summary(name: string, state: string, labels: Record<string, string> = {}, groups: string[] = []): ContainerSummary {
  return {
    engine: 'local',
    id: name.padEnd(64, '0'),
    name,
    image: 'img',
    imageId: 'sha256:x',
    command: '',
    created: '2024-01-01T00:00:00.000Z',
    state,
    status: state,
    health: 'none',
    ports: [],
    labels,
    composeProject: null,
    composeService: null,
    group: groups[0] ?? null,
    groups,
  };
}

const api = summary('Platform-API-1', 'running', { tier: 'backend', 'com.docker.compose.project': 'platform' });
const db = summary('platform-db-1', 'exited', { tier: 'data', 'com.docker.compose.project': 'platform' });
const cron = summary('cron', 'paused', { tier: '' });
const fresh = summary('fresh', 'created');
const all = [api, db, cron, fresh];

const names = (list: ContainerSummary[]): string[] => list.map((c) => c.name);

describe('labelMatches', () => {
  const labels = { tier: 'backend', empty: '', 'a.b': 'x=y' };

  test('a key alone matches when the label exists, whatever its value', () => {
    assert.equal(labelMatches(labels, 'tier'), true);
    assert.equal(labelMatches(labels, 'empty'), true);
    assert.equal(labelMatches(labels, 'missing'), false);
  });

  test('key=value matches only that exact value', () => {
    assert.equal(labelMatches(labels, 'tier=backend'), true);
    assert.equal(labelMatches(labels, 'tier=Backend'), false);
    assert.equal(labelMatches(labels, 'tier=back'), false);
    assert.equal(labelMatches(labels, 'missing=backend'), false);
  });

  test('key= matches an empty value only', () => {
    assert.equal(labelMatches(labels, 'empty='), true);
    assert.equal(labelMatches(labels, 'tier='), false);
  });

  test('the value may itself contain =', () => {
    assert.equal(labelMatches(labels, 'a.b=x=y'), true);
    assert.equal(labelMatches(labels, 'a.b=x'), false);
  });

  test('inherited object properties are not labels', () => {
    assert.equal(labelMatches({}, 'toString'), false);
    assert.equal(labelMatches({}, 'constructor'), false);
  });
});

describe('applyFilters', () => {
  test('no filters keep everything, in order', () => {
    assert.deepEqual(names(applyFilters(all, {})), names(all));
  });

  test('all=false keeps running containers only; all=true keeps all', () => {
    assert.deepEqual(names(applyFilters(all, { all: false })), ['Platform-API-1']);
    assert.deepEqual(names(applyFilters(all, { all: true })), names(all));
  });

  test('status keeps the listed states', () => {
    assert.deepEqual(names(applyFilters(all, { status: ['exited', 'created'] })), ['platform-db-1', 'fresh']);
    assert.deepEqual(names(applyFilters(all, { status: [] })), names(all), 'an empty list is no filter');
    assert.deepEqual(names(applyFilters(all, { status: ['dead'] })), []);
  });

  test('name is a case-insensitive substring', () => {
    assert.deepEqual(names(applyFilters(all, { name: 'platform' })), ['Platform-API-1', 'platform-db-1']);
    assert.deepEqual(names(applyFilters(all, { name: 'API' })), ['Platform-API-1']);
    assert.deepEqual(names(applyFilters(all, { name: 'db-1' })), ['platform-db-1']);
    assert.deepEqual(names(applyFilters(all, { name: 'nothing' })), []);
  });

  test('every label filter must hold', () => {
    assert.deepEqual(names(applyFilters(all, { label: ['tier'] })), ['Platform-API-1', 'platform-db-1', 'cron']);
    assert.deepEqual(names(applyFilters(all, { label: ['com.docker.compose.project=platform', 'tier=data'] })), ['platform-db-1']);
    assert.deepEqual(names(applyFilters(all, { label: ['tier=backend', 'tier=data'] })), []);
  });

  test('filters combine', () => {
    assert.deepEqual(names(applyFilters(all, { all: false, name: 'platform', label: ['tier=backend'] })), ['Platform-API-1']);
    assert.deepEqual(names(applyFilters(all, { all: false, status: ['exited'] })), []);
  });

  test('does not modify the input list', () => {
    const copy = [...all];
    applyFilters(all, { all: false });
    assert.deepEqual(all, copy);
  });
});

describe('group filter', () => {
  test('keeps members of the group, whichever of their groups it is', () => {
    const a = summary('a', 'running', {}, ['foundation']);
    const b = summary('b', 'running', {}, ['core', 'foundation']);
    const c = summary('c', 'running');
    assert.deepEqual(applyFilters([a, b, c], { group: 'foundation' }).map((x) => x.name), ['a', 'b']);
    assert.deepEqual(applyFilters([a, b, c], { group: 'core' }).map((x) => x.name), ['b']);
    assert.deepEqual(applyFilters([a, b, c], { group: 'support' }), []);
  });
});
