import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { resolveContainer, type Identified } from '../../src/containers/container-resolver.js';

const id = (start: string): string => start.padEnd(64, '0');

const web: Identified = { id: id('abc123'), name: 'web' };
const worker: Identified = { id: id('abc456'), name: 'worker' };
const db: Identified = { id: id('def789'), name: 'db' };
const containers = [web, worker, db];

function rejection(ref: string, list: Identified[] = containers): AppError {
  let caught: unknown;
  try {
    resolveContainer(ref, list);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AppError, `expected an AppError for ${ref}`);
  return caught;
}

describe('resolveContainer', () => {
  test('a full id finds its container', () => {
    assert.equal(resolveContainer(db.id, containers), db);
  });

  test('an exact name finds its container', () => {
    assert.equal(resolveContainer('worker', containers), worker);
  });

  test('a leading / on a name is accepted, as docker inspect prints it', () => {
    assert.equal(resolveContainer('/web', containers), web);
  });

  test('a unique hex prefix finds its container', () => {
    assert.equal(resolveContainer('abc1', containers), web);
    assert.equal(resolveContainer('d', containers), db);
  });

  test('a full id wins over a container whose name is that id', () => {
    const impostor: Identified = { id: id('fff'), name: db.id };
    assert.equal(resolveContainer(db.id, [impostor, ...containers]), db);
    assert.equal(resolveContainer(db.id, [...containers, impostor]), db);
  });

  test('an exact name wins over an id prefix', () => {
    const namedLikePrefix: Identified = { id: id('999'), name: 'abc1' };
    assert.equal(resolveContainer('abc1', [web, namedLikePrefix]), namedLikePrefix);
    assert.equal(resolveContainer('abc1', [namedLikePrefix, web]), namedLikePrefix);
    const hexName: Identified = { id: id('777'), name: 'def' };
    assert.equal(resolveContainer('def', [db, hexName]), hexName);
  });

  test('an ambiguous prefix is a 409 AMBIGUOUS_CONTAINER_ID naming the prefix', () => {
    const err = rejection('abc');
    assert.equal(err.code, 'AMBIGUOUS_CONTAINER_ID');
    assert.equal(err.status, 409);
    assert.match(err.message, /"abc"/);
    assert.match(err.message, /2 containers/);
  });

  test('an unknown reference is a 404 CONTAINER_NOT_FOUND', () => {
    for (const ref of ['nope', '0123', '/ghost']) {
      const err = rejection(ref);
      assert.equal(err.code, 'CONTAINER_NOT_FOUND', ref);
      assert.equal(err.status, 404);
    }
    assert.equal(rejection('web', []).code, 'CONTAINER_NOT_FOUND');
  });

  test('a non-hex reference never prefix-matches an id', () => {
    // 'abc1-' and 'ABC1' are not hex (lower-case only), so they must not find abc123….
    assert.equal(rejection('abc1-').code, 'CONTAINER_NOT_FOUND');
    assert.equal(rejection('ABC1').code, 'CONTAINER_NOT_FOUND');
    assert.equal(rejection('we').code, 'CONTAINER_NOT_FOUND', 'name prefixes do not match either');
  });

  test('accepts any iterable, such as a Map of containers', () => {
    const byId = new Map(containers.map((c) => [c.id, c]));
    assert.equal(resolveContainer('def', byId.values()), db);
  });
});
