import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from './bytes.ts';

test('randomBytes: every length, across pool refills, never the same bytes twice', () => {
  const seen = new Set<string>();
  let total = 0;
  // 40 KiB in draws of 1 to 300 bytes: the 4 KiB pool is refilled about ten times, and draws
  // over 256 bytes bypass it.
  for (let i = 0; total < 40 * 1024; i++) {
    const n = 1 + ((i * 37) % 300);
    const bytes = randomBytes(n);
    assert.equal(bytes.length, n);
    // A fresh buffer each time, not a view that a later draw could overwrite.
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, n);
    if (n >= 16) {
      const hex = Buffer.from(bytes).toString('hex');
      assert.ok(!seen.has(hex), 'a repeated draw');
      seen.add(hex);
    }
    total += n;
  }
  assert.equal(randomBytes(0).length, 0);
  assert.equal(randomBytes().length, 32);
});

test('randomBytes: roughly uniform bytes (a pool handing out zeros or repeats would fail)', () => {
  const counts = new Array(256).fill(0);
  for (let i = 0; i < 2048; i++) for (const b of randomBytes(32)) counts[b]++;
  // 65,536 bytes: 256 per value on average; a fair source stays well within 150–370.
  assert.ok(
    Math.min(...counts) > 150 && Math.max(...counts) < 370,
    `${Math.min(...counts)}–${Math.max(...counts)}`,
  );
});

test('randomBytes refuses a count that is not one', () => {
  for (const n of [-1, 1.5, Number.NaN, 2 ** 60]) assert.throws(() => randomBytes(n), RangeError);
});
