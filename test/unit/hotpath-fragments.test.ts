import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FragmentCache, joinFragments, sameFragments } from '../../src/http/json-fragments.js';
import { readyBody } from '../../src/http/etag.js';
import { ContainerViewCache, type BuiltList } from '../../src/containers/view-cache.js';
import { NameOrder } from '../../src/lib/name-order.js';

/** Issue 13: a list made again after one change reuses the bytes of the items that did not change. */
describe('hot path: list bodies from per-item fragments', () => {
  test('the joined bytes are the JSON of the whole answer; the ETag follows every byte', () => {
    const cache = new FragmentCache<{ name: string; status: string }>();
    const a = Object.freeze({ name: 'a', status: 'Up 1 second' });
    const b = Object.freeze({ name: 'b', status: 'Exited (0)' });
    const frag = (item: { name: string; status: string }) => cache.get(item, '', () => JSON.stringify(item));
    const one = joinFragments('{"items":[', [frag(a), frag(b)], '],"total":2}');
    assert.equal(one.body.toString(), JSON.stringify({ items: [a, b], total: 2 }));
    assert.deepEqual(JSON.parse(one.body.toString()), { items: [a, b], total: 2 });
    assert.equal(joinFragments('{"items":[', [frag(a), frag(b)], '],"total":2}').etag, one.etag, 'same bytes, same tag');
    const a2 = Object.freeze({ ...a, status: 'Up 2 seconds' });
    const two = joinFragments('{"items":[', [frag(a2), frag(b)], '],"total":2}');
    assert.notEqual(two.etag, one.etag, 'one item changed: a new tag');
    assert.notEqual(joinFragments('{"items":[', [frag(b), frag(a)], '],"total":2}').etag, one.etag, 'order is part of the tag');
    assert.notEqual(joinFragments('{"items":[', [frag(a)], '],"total":1}').etag, one.etag);
    assert.equal(joinFragments('{"items":[', [], '],"total":0}').body.toString(), '{"items":[],"total":0}');
  });

  test('an item is serialised once per object and variant', () => {
    const cache = new FragmentCache<{ n: number }>(2);
    let renders = 0;
    const render = (item: { n: number }, variant: string) => cache.get(item, variant, () => (renders++, JSON.stringify({ ...item, variant })));
    const x = { n: 1 };
    render(x, '');
    render(x, '');
    assert.equal(renders, 1);
    assert.equal(render(x, 'g1').bytes.toString(), '{"n":1,"variant":"g1"}');
    assert.equal(renders, 2);
    render({ n: 1 }, '');
    assert.equal(renders, 3, 'a new object (a new view) is serialised anew');
    render(x, 'g2');
    render(x, '');
    assert.equal(renders, 5, 'variants per item are bounded (the oldest went)');
  });

  test('NameOrder sorts like localeCompare and stays right after replacements, additions, removals and renames', () => {
    const order = new NameOrder<{ name: string; v: number }>();
    const check = (items: { name: string; v: number }[]) =>
      assert.deepEqual(order.sorted(items), [...items].sort((p, q) => p.name.localeCompare(q.name)));
    let items = ['web', 'db', 'cache', 'api', 'Zeta', 'alpha'].map((name, v) => ({ name, v }));
    check(items);
    items = items.map((i) => (i.name === 'db' ? { ...i, v: 99 } : i));
    check(items);
    assert.equal(order.sorted(items).find((i) => i.name === 'db')?.v, 99, 'the new view, in the remembered place');
    check([...items, { name: 'beta', v: 7 }]);
    check(items.filter((i) => i.name !== 'cache'));
    check(items.map((i) => (i.name === 'web' ? { ...i, name: 'aaa' } : i)));
    check([]);
  });
});

describe('ContainerViewCache.list', () => {
  test("a build gets the key's previous build; the same generation is served without building", () => {
    const cache = new ContainerViewCache<string, string>();
    const seen: unknown[] = [];
    const build = (items: string[]) => (before: BuiltList<string, string> | undefined) => {
      seen.push(before?.items);
      return { ready: readyBody(JSON.stringify(items)), items, fragments: items.map((i) => `f:${i}`) };
    };
    const first = cache.list('k', 1, build(['a', 'b']));
    assert.equal(cache.list('k', 1, build(['x'])), first, 'same generation: no build');
    cache.list('k', 2, build(['a', 'c']));
    cache.list('other', 2, build(['z']));
    assert.deepEqual(seen, [undefined, ['a', 'b'], undefined]);
  });
});

test('sameFragments: the same fragment objects in the same order, nothing else', () => {
  const cache = new FragmentCache<{ n: number }>();
  const [a, b] = [Object.freeze({ n: 1 }), Object.freeze({ n: 2 })];
  const fa = cache.get(a, '', () => '{"n":1}');
  const fb = cache.get(b, '', () => '{"n":2}');
  assert.ok(sameFragments([fa, fb], [fa, fb]));
  assert.ok(!sameFragments([fa, fb], [fb, fa]));
  assert.ok(!sameFragments([fa], [fa, fb]));
  assert.ok(!sameFragments([fa], [{ ...fa }]), 'equal content in another object is not the same fragment');
});
