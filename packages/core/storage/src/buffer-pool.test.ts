import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool } from './buffer-pool.ts';
import { chunkFixedSize } from './chunk-fixed-size.ts';
import { isDirectWritable } from './page-aligned.ts';

test('a released buffer (or a view of it) is handed out again; foreign buffers are ignored', () => {
  const pool = new BufferPool(8, 2);
  const a = pool.allocate(8);
  const b = pool.allocate(8);
  assert.notEqual(a, b);
  pool.release(a.subarray(0, 3));
  assert.equal(pool.allocate(8), a);
  pool.release(new Uint8Array(8));
  pool.release(b);
  pool.release(b); // twice: only once back in the pool
  assert.equal(pool.allocate(8), b);
  assert.notEqual(pool.allocate(8), b);
  // Other sizes are not pooled.
  const odd = pool.allocate(5);
  pool.release(odd);
  assert.notEqual(pool.allocate(5), odd);
});

test('the pool keeps at most `max` free buffers', () => {
  const pool = new BufferPool(4, 1);
  const a = pool.allocate(4);
  const b = pool.allocate(4);
  pool.release(a);
  pool.release(b);
  assert.equal(pool.allocate(4), a);
  assert.notEqual(pool.allocate(4), b);
});

test('chunkFixedSize assembles chunks that span inputs in buffers from `allocate`', async () => {
  const pool = new BufferPool(4, 4);
  const allocated: Uint8Array[] = [];
  const allocate = (size: number) => {
    const buffer = pool.allocate(size);
    allocated.push(buffer);
    return buffer;
  };
  const input = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6, 7, 8, 9, 10, 11, 12, 13)];
  const chunks: number[][] = [];
  for await (const chunk of chunkFixedSize(input, 4, allocate)) {
    chunks.push([...chunk]);
    pool.release(chunk); // a writer releases each chunk once stored
  }
  assert.deepEqual(chunks, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13]]);
  // Two chunks spanned inputs (the first and the last); the second reused the first's buffer.
  assert.equal(allocated.length, 2);
  assert.equal(allocated[0], allocated[1]);
});

test('pooled buffers of whole pages can be written with O_DIRECT; others cannot', () => {
  const pool = new BufferPool(8192, 2);
  const a = pool.allocate(8192);
  const b = pool.allocate(8192);
  assert.equal(isDirectWritable(a), true);
  assert.equal(isDirectWritable(b), true);
  assert.equal(isDirectWritable(a.subarray(0, 4096)), true);
  assert.equal(isDirectWritable(a.subarray(0, 100)), false, 'not a whole number of pages');
  assert.equal(isDirectWritable(a.subarray(16, 16 + 4096)), false, 'not page-aligned');
  assert.equal(isDirectWritable(pool.allocate(8192)), false, 'past max: a plain buffer');
  assert.equal(isDirectWritable(new Uint8Array(8192)), false);
});

test('a shared pool lends views of one SharedArrayBuffer, still page-aligned', () => {
  const pool = new BufferPool(8192, 2, { shared: true });
  const a = pool.allocate(8192);
  const b = pool.allocate(8192);
  assert.ok(a.buffer instanceof SharedArrayBuffer);
  assert.equal(a.buffer, b.buffer);
  assert.equal(isDirectWritable(a), true);
  pool.release(a);
  assert.equal(pool.allocate(8192), a);
});
