import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lruGetOrMake } from './lru.ts';

test('lruGetOrMake makes a missing value once, keeps the most recently used, stores nothing that failed', () => {
  const map = new Map<string, number>();
  let made = 0;
  const get = (key: string) =>
    lruGetOrMake(map, 2, key, () => {
      made++;
      return key.length;
    });
  assert.equal(get('a'), 1);
  assert.equal(get('bb'), 2);
  assert.equal(get('a'), 1); // a hit: 'a' is now the most recent
  assert.equal(made, 2);
  get('ccc'); // evicts 'bb', the least recently used
  assert.deepEqual([...map.keys()], ['a', 'ccc']);
  assert.throws(() =>
    lruGetOrMake(map, 2, 'boom', () => {
      throw new Error('no');
    }),
  );
  assert.deepEqual([...map.keys()], ['a', 'ccc']);
});
