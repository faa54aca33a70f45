import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSize } from './size.ts';

test('sizes in decimal and binary units', () => {
  assert.equal(parseSize('2GiB'), 2 * 1024 ** 3);
  assert.equal(parseSize('500MB'), 500_000_000);
  assert.equal(parseSize('1.5KiB'), 1536);
  assert.equal(parseSize('42'), 42);
  assert.throws(() => parseSize('lots'), { name: 'UsageError' });
});
