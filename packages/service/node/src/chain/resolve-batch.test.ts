import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { recordBatchRoot } from '@aegle/chain';
import { stringToHex } from 'viem';
import { openStore, putInto, tempDir } from '../../test/helpers.ts';
import { type AnchorPayload, anchorEntryOf, buildMerkleBatch } from '../merkle-batch.ts';
import { openNodeDatabase } from '../open-node-database.ts';
import { Outbox } from '../outbox.ts';
import type { Hex } from '../ports.ts';
import { resolveBatchFromStore } from './resolve-batch.ts';

const hex = (n: number, bytes: number): Hex => `0x${n.toString(16).padStart(bytes * 2, '0')}`;
const anchor = (n: number): AnchorPayload => ({
  recordId: hex(n + 1, 32),
  patient: hex(1, 20),
  creator: hex(2, 20),
  contentRoot: hex(3 + n, 32),
  metadataHash: hex(4, 32),
  category: hex(5, 32),
  supersedes: hex(0, 32),
  nonce: String(n),
  signedAt: '1700000000',
  signature: `0x${'ab'.repeat(65)}`,
});

test('a batch this node formed resolves from its outbox, with the leaves its tree holds; another resolves from the store', async (t) => {
  const dir = await tempDir(t);
  const store = await openStore(t, path.join(dir, 'store'));
  const db = openNodeDatabase(path.join(dir, 'node.sqlite'));
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const payloads = Array.from({ length: 5 }, (_, i) => anchor(i));
  for (const [i, p] of payloads.entries()) outbox.append('anchor', `anchor:${i}`, p);
  const intents = outbox.unbatched('anchor', 10);
  const batch = buildMerkleBatch(
    'anchor',
    intents.map((i) => i.payload),
  );
  const cid = await putInto(store)(batch.listBytes);
  outbox.createBatch('anchor', intents, {
    root: batch.root,
    cid,
    hashes: batch.hashes,
    treeIndex: batch.treeIndex,
  });
  const entries = payloads.map(anchorEntryOf);
  const expected = recordBatchRoot(entries);
  assert.equal(expected.root, batch.root);

  const withOutbox = resolveBatchFromStore(store, outbox);
  const own = await withOutbox({
    batchId: 1n,
    root: batch.root,
    cid: stringToHex(cid),
    entryCount: 5,
  });
  assert.ok(own && 'leaves' in own, 'answered with its leaves');
  assert.deepEqual(own.entries, entries);
  assert.deepEqual(own.leaves, expected.leaves);

  // The store alone (or a root this node never formed under that CID): the list, parsed.
  const storeOnly = await resolveBatchFromStore(store)({
    batchId: 1n,
    root: batch.root,
    cid: stringToHex(cid),
    entryCount: 5,
  });
  assert.deepEqual(storeOnly, entries);
  const otherRoot = await withOutbox({
    batchId: 1n,
    root: hex(9, 32),
    cid: stringToHex(cid),
    entryCount: 5,
  });
  assert.ok(Array.isArray(otherRoot), 'not taken from the outbox');
});
