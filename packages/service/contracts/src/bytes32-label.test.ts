import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes32Label, LabelError } from './bytes32-label.ts';

test('a label is UTF-8 right-padded to 32 bytes, like a Solidity bytes32 literal', () => {
  assert.equal(bytes32Label('owner'), `0x6f776e6572${'00'.repeat(27)}`);
  assert.equal(bytes32Label('x'.repeat(32)), `0x${'78'.repeat(32)}`);
});

test('empty and over-long labels are refused', () => {
  assert.throws(() => bytes32Label(''), LabelError);
  assert.throws(() => bytes32Label('x'.repeat(33)), LabelError);
  // 11 three-byte characters are 33 bytes.
  assert.throws(
    () => bytes32Label('€'.repeat(11)),
    (e: unknown) => e instanceof LabelError && e.name === 'LabelError',
  );
});
