import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from './duration.ts';

test('durations in the units grants use', () => {
  assert.equal(parseDuration('30d'), 30 * 86_400);
  assert.equal(parseDuration('12h'), 43_200);
  assert.equal(parseDuration('90m'), 5400);
  assert.equal(parseDuration('1y'), 31_536_000);
  assert.throws(() => parseDuration('30'), { name: 'UsageError' });
  assert.throws(() => parseDuration('-1d'), { name: 'UsageError' });
});
