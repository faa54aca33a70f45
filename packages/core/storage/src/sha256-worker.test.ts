import assert from 'node:assert/strict';
import { hash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { allocatePageAligned } from './page-aligned.ts';
import { sha256Shared } from './sha256-worker.ts';

const sha256 = (bytes: Uint8Array) => new Uint8Array(hash('sha256', bytes, 'buffer'));

test('sha256Shared hashes views of shared memory on the worker, in place, and agrees with node:crypto', async () => {
  const [a, b, c] = allocatePageAligned(1024 * 1024, 3, { shared: true }) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  assert.ok(a.buffer instanceof SharedArrayBuffer);
  a.set(randomBytes(a.length));
  b.set(randomBytes(b.length));
  c.set(randomBytes(c.length));
  // Several in flight at once: replies must come back to the right caller.
  const views = [a, b, c, a.subarray(4096, 200_000), c.subarray(0, 100_000)];
  const digests = await Promise.all(views.map((v) => sha256Shared(v)));
  for (const [i, view] of views.entries()) {
    assert.deepEqual(new Uint8Array(digests[i] as Uint8Array), sha256(view), `view ${i}`);
  }
});

test('sha256Shared hashes small and unshared bytes here, with the same result', async () => {
  for (const bytes of [new Uint8Array(0), randomBytes(100), randomBytes(300_000)]) {
    assert.deepEqual(new Uint8Array(await sha256Shared(bytes)), sha256(bytes));
  }
});

test('sha256Shared with a queue limit hashes here once that many wait, with the same result', async () => {
  const views = allocatePageAligned(256 * 1024, 6, { shared: true });
  for (const view of views) view.set(randomBytes(view.length));
  for (const queue of [0, 1, 2]) {
    const digests = await Promise.all(views.map((v) => sha256Shared(v, { queue })));
    for (const [i, view] of views.entries()) {
      assert.deepEqual(new Uint8Array(digests[i] as Uint8Array), sha256(view), `queue ${queue}`);
    }
  }
});
