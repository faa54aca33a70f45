import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMerkleBatch } from './merkle-batch.ts';
import { INLINE_BATCH_MAX, MerkleThread } from './merkle-thread.ts';
import type { Hex } from './ports.ts';

const hex = (n: number, bytes: number) => `0x${n.toString(16).padStart(bytes * 2, '0')}` as Hex;
const audit = (n: number) => ({
  recordId: hex(n + 1, 32),
  patient: hex(1, 20),
  reader: hex(2, 20),
  purpose: hex(3, 32),
  releasedAt: 1_700_000_000 + n,
});

test('small batches are built inline and large ones on the thread, with the same result', async (t) => {
  const thread = new MerkleThread();
  t.after(() => thread.close());
  for (const size of [1, INLINE_BATCH_MAX, INLINE_BATCH_MAX + 1, 200]) {
    const payloads = Array.from({ length: size }, (_, i) => audit(i));
    const built = await thread.build('audit', payloads);
    const expected = buildMerkleBatch('audit', payloads);
    assert.equal(built.root, expected.root, `root of ${size}`);
    assert.deepEqual(built.treeIndex, expected.treeIndex);
    assert.deepEqual(Buffer.from(built.hashes), Buffer.from(expected.hashes));
  }
  // A kind that is not batched is refused on either path.
  await assert.rejects(thread.build('grant', [audit(0)]), /not batched/);
  await assert.rejects(
    thread.build(
      'grant',
      Array.from({ length: INLINE_BATCH_MAX + 1 }, (_, i) => audit(i)),
    ),
    /not batched/,
  );
});
