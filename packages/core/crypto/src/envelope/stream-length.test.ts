import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidStreamOptionError } from '../errors.ts';
import { DEFAULT_SEGMENT_SIZE, HEADER_LENGTH } from './format.ts';
import { ciphertextLength, plaintextLength } from './stream-length.ts';

test('ciphertextLength: header + plaintext + 16 bytes per segment, at least one segment', () => {
  const S = DEFAULT_SEGMENT_SIZE;
  assert.equal(HEADER_LENGTH, 80);
  assert.equal(ciphertextLength(0), 80 + 16);
  assert.equal(ciphertextLength(1), 80 + 1 + 16);
  assert.equal(ciphertextLength(S - 1), 80 + S - 1 + 16);
  assert.equal(ciphertextLength(S), 80 + S + 16);
  assert.equal(ciphertextLength(S + 1), 80 + S + 1 + 32);
  assert.equal(ciphertextLength(100, 16), 80 + 100 + 7 * 16);
  // 1 TiB: still exact (well inside 2^53).
  assert.equal(ciphertextLength(2 ** 40), 80 + 2 ** 40 + 2 ** 24 * 16);
});

test('plaintextLength inverts ciphertextLength for every size around segment boundaries', () => {
  for (const size of [16, 64, 1000]) {
    for (let n = 0; n <= 5 * size + 3; n++) {
      assert.equal(plaintextLength(ciphertextLength(n, size), size), n, `n=${n} size=${size}`);
    }
  }
  assert.equal(plaintextLength(ciphertextLength(123_456_789)), 123_456_789);
});

test('impossible sizes and arguments are refused', () => {
  assert.throws(() => plaintextLength(80 + 15), InvalidStreamOptionError);
  assert.throws(() => plaintextLength(10), InvalidStreamOptionError);
  assert.throws(
    () => plaintextLength(80 + DEFAULT_SEGMENT_SIZE + 16 + 5),
    InvalidStreamOptionError,
  );
  assert.throws(() => ciphertextLength(-1), InvalidStreamOptionError);
  assert.throws(() => ciphertextLength(1.5), InvalidStreamOptionError);
  assert.throws(() => ciphertextLength(1, 8), InvalidStreamOptionError);
  assert.throws(() => ciphertextLength(2 ** 50, 16), InvalidStreamOptionError);
});
