import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { recordBatchRoot } from '@aegle/chain';
import { stringToHex } from 'viem';
import { openStore, putInto, tempDir } from '../../test/helpers.ts';
import { anchorPayload, hexOf } from '../anchor-payload.testing.ts';
import { anchorEntryOf, buildMerkleBatch } from '../merkle-batch.ts';
import { openNodeDatabase } from '../open-node-database.ts';
import { Outbox } from '../outbox.ts';
import { resolveBatchFromStore } from './resolve-batch.ts';

test('a batch this node formed resolves from its outbox, with the leaves its tree holds; another resolves from the store', async (t) => {
  const dir = await tempDir(t);
  const store = await openStore(t, path.join(dir, 'store'));
  const db = openNodeDatabase(path.join(dir, 'node.sqlite'));
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const payloads = Array.from({ length: 5 }, (_, i) => anchorPayload(i));
  for (const [i, p] of payloads.entries()) outbox.append('anchor', `anchor:${i}`, p);
  const intents = outbox.unbatched('anchor', 10);
  const batch = buildMerkleBatch(
    'anchor',
    intents.map((i) => i.payload),
  );
  const cid = await putInto(store)(batch.listBytes);
  await outbox.createBatch('anchor', intents, {
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
    root: hexOf(9, 32),
    cid: stringToHex(cid),
    entryCount: 5,
  });
  assert.ok(Array.isArray(otherRoot), 'not taken from the outbox');
});
