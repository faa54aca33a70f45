import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { CID } from 'multiformats/cid';
import {
  blockFile,
  corruptBlock,
  rawBlock,
  readStoredBlock,
  removeBlock,
  storedBlocks,
} from '../test/disk.ts';
import { FaultyReplica } from '../test/faulty-replica.ts';
import { blockKey } from './block-path.ts';
import { FsBlockstore } from './fs-blockstore.ts';
import { type ReplicaFailure, ReplicatedBlockstore } from './replicated-blockstore.ts';

let root: string;
let counter = 0;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'aegle-replicated-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function freshDir(): string {
  return path.join(root, `case-${counter++}`);
}

/** Two real replicas (primary, backup) in a fresh directory, failures collected. */
async function openPair(minAcks?: number) {
  const dir = freshDir();
  const failures: ReplicaFailure[] = [];
  const store = ReplicatedBlockstore.inDirectory(dir, {
    minAcks,
    onReplicaFailure: (f) => failures.push(f),
  });
  await store.open();
  const [primary, backup] = store.replicas.map((r) => r.path) as [string, string];
  return { store, primary, backup, failures };
}

/** A real replica and a fault-injecting one. */
async function openWithFaulty(minAcks: number) {
  const dir = freshDir();
  const good = new FsBlockstore(path.join(dir, 'good'));
  const faulty = new FaultyReplica(path.join(dir, 'faulty'));
  const failures: ReplicaFailure[] = [];
  const store = new ReplicatedBlockstore([good, faulty], {
    minAcks,
    onReplicaFailure: (f) => failures.push(f),
  });
  await store.open();
  return { store, good, faulty, failures };
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}

test('the embedded default is a primary and a backup directory, each holding every block', async () => {
  const { store, primary, backup } = await openPair();
  assert.equal(store.replicas.length, 2);
  assert.equal(store.minAcks, 2);
  assert.deepEqual(
    [path.basename(primary), path.basename(backup)],
    ['blocks-primary', 'blocks-backup'],
  );
  const blocks = ['one', 'two', 'three'].map(rawBlock);
  for (const { cid, bytes } of blocks) await store.put(cid, bytes);
  for (const replica of [primary, backup]) {
    assert.equal((await storedBlocks(replica)).length, 3);
    for (const { cid, bytes } of blocks) {
      assert.deepEqual(await readStoredBlock(replica, cid), bytes);
    }
  }
  const three = ReplicatedBlockstore.inDirectory(freshDir(), { factor: 3, minAcks: 2 });
  assert.deepEqual(
    three.replicas.map((r) => path.basename(r.path)),
    ['blocks-primary', 'blocks-backup', 'blocks-replica-3'],
  );
  assert.throws(() => ReplicatedBlockstore.inDirectory(freshDir(), { minAcks: 3 }), {
    name: 'InvalidStorageOptionError',
  });
  assert.throws(() => new ReplicatedBlockstore([]), { name: 'InvalidStorageOptionError' });
});

test('put resolves only once minAcks replicas hold the block, written with a full fsync', async () => {
  const { store, good, faulty } = await openWithFaulty(2);
  let release = () => {};
  faulty.gate = new Promise<void>((resolve) => (release = resolve));
  const { cid, bytes } = rawBlock('needs both replicas');
  let resolved = false;
  const put = store.put(cid, bytes).then(() => (resolved = true));
  await waitFor(() => good.has(cid));
  // The first replica is done; the second is held, so the put must still be pending.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(resolved, false);
  release();
  await put;
  assert.equal(await faulty.has(cid), true);
  assert.deepEqual(faulty.writeModes, ['full']);
});

test('with minAcks 1, put resolves on the first replica and the other finishes before close', async () => {
  const { store, good, faulty } = await openWithFaulty(1);
  let release = () => {};
  faulty.gate = new Promise<void>((resolve) => (release = resolve));
  const { cid, bytes } = rawBlock('one ack is enough');
  await store.put(cid, bytes);
  assert.equal(await good.has(cid), true);
  assert.equal(await faulty.has(cid), false);
  release();
  await store.close();
  assert.equal(await faulty.has(cid), true);
});

test('a replica failing a write below minAcks fails the write; above it, it is reported', async () => {
  const strict = await openWithFaulty(2);
  strict.faulty.failWritesAfter = 0;
  const a = rawBlock('two replicas required');
  await assert.rejects(strict.store.put(a.cid, a.bytes), (error: Error & { cid?: string }) => {
    assert.equal(error.name, 'ReplicaWriteError');
    assert.equal(error.cid, a.cid.toString());
    assert.match(error.message, /stored on 1 replica\(s\), 2 required/);
    return true;
  });
  assert.equal(strict.failures.length, 0);

  const lenient = await openWithFaulty(1);
  lenient.faulty.failWritesAfter = 0;
  const b = rawBlock('one replica is enough');
  await lenient.store.put(b.cid, b.bytes);
  await lenient.store.close();
  assert.equal(await lenient.good.has(b.cid), true);
  assert.equal(lenient.failures.length, 1);
  assert.equal(lenient.failures[0]?.replica, 1);
  assert.equal(lenient.failures[0]?.operation, 'put');
  assert.match(String(lenient.failures[0]?.error), /EIO/);
});

test('a full disk below minAcks is a StorageFullError', async () => {
  const { store, faulty } = await openWithFaulty(2);
  faulty.failWritesAfter = 0;
  faulty.fault = 'enospc';
  const { cid, bytes } = rawBlock('no room');
  await assert.rejects(store.put(cid, bytes), { name: 'StorageFullError' });
});

test('put refuses bytes that do not match the CID and writes nothing', async () => {
  const { store, primary, backup } = await openPair();
  const { cid } = rawBlock('claimed');
  await assert.rejects(store.put(cid, new TextEncoder().encode('actual')), {
    name: 'CorruptBlockError',
  });
  assert.deepEqual(await storedBlocks(primary), []);
  assert.deepEqual(await storedBlocks(backup), []);
});

test('a block corrupted on the primary is read correctly and rewritten on disk', async () => {
  const { store, primary, failures } = await openPair();
  const { cid, bytes } = rawBlock('corrupted on the primary');
  await store.put(cid, bytes);
  await corruptBlock(primary, cid);
  assert.notDeepEqual(await readStoredBlock(primary, cid), bytes);
  assert.deepEqual(await store.getBlock(cid), bytes);
  // Repaired before get returned: the file on the primary is right again.
  assert.deepEqual(await readStoredBlock(primary, cid), bytes);
  assert.deepEqual(failures, []);
});

test('a block missing from one replica is repaired from the other', async () => {
  const { store, primary, backup } = await openPair();
  const { cid, bytes } = rawBlock('missing on the primary');
  await store.put(cid, bytes);
  await removeBlock(primary, cid);
  const parts: Uint8Array[] = [];
  for await (const part of store.get(cid)) parts.push(part);
  assert.deepEqual(Buffer.concat(parts), Buffer.from(bytes));
  assert.deepEqual(await readStoredBlock(primary, cid), bytes);
  assert.deepEqual(await readStoredBlock(backup, cid), bytes);
});

test('a block gone from every replica fails with an error naming the CID', async () => {
  const { store, primary, backup } = await openPair();
  const gone = rawBlock('gone everywhere');
  await store.put(gone.cid, gone.bytes);
  await removeBlock(primary, gone.cid);
  await removeBlock(backup, gone.cid);
  await assert.rejects(store.getBlock(gone.cid), (error: Error & { cid?: string }) => {
    assert.equal(error.name, 'BlockNotFoundError');
    assert.equal(error.cid, gone.cid.toString());
    assert.ok(error.message.includes(gone.cid.toString()));
    return true;
  });
  const bad = rawBlock('corrupt everywhere');
  await store.put(bad.cid, bad.bytes);
  await corruptBlock(primary, bad.cid);
  await corruptBlock(backup, bad.cid);
  await assert.rejects(store.getBlock(bad.cid), (error: Error & { cid?: string }) => {
    assert.equal(error.name, 'UnrecoverableBlockError');
    assert.equal(error.cid, bad.cid.toString());
    assert.ok(error.message.includes(bad.cid.toString()));
    return true;
  });
  assert.equal(await store.has(gone.cid), false);
  assert.equal(await store.has(bad.cid), true);
});

test('scrub repairs corrupted and deleted copies and reports exact counts', async () => {
  const dir = freshDir();
  const store = ReplicatedBlockstore.inDirectory(dir, { factor: 3 });
  await store.open();
  const [primary, backup, third] = store.replicas.map((r) => r.path) as [string, string, string];
  const blocks = Array.from({ length: 12 }, (_, i) => rawBlock(`scrub block ${i}`));
  for (const { cid, bytes } of blocks) await store.put(cid, bytes);
  const cid = (i: number) => (blocks[i] as { cid: CID }).cid;
  // Repairable: 0, 1 corrupt on the primary; 2, 3 deleted from the backup; 4 corrupt on the
  // primary and deleted from the backup (two copies to rewrite from the third replica).
  await corruptBlock(primary, cid(0));
  await corruptBlock(primary, cid(1));
  await removeBlock(backup, cid(2));
  await removeBlock(backup, cid(3));
  await corruptBlock(primary, cid(4));
  await removeBlock(backup, cid(4));
  // Unrecoverable: 5 corrupt everywhere; 6 deleted everywhere (found only through `expected`).
  for (const replica of [primary, backup, third]) {
    await corruptBlock(replica, cid(5));
    await removeBlock(replica, cid(6));
  }
  const expected = blocks.map((b) => b.cid);
  const lost = [cid(5), cid(6)].map(String).sort();

  const first = await store.scrub({ expected });
  assert.equal(first.checked, 12);
  assert.equal(first.repaired, 6);
  assert.deepEqual(first.unrecoverable.map(String).sort(), lost);
  for (const [i, { cid: c, bytes }] of blocks.entries()) {
    if (i === 5 || i === 6) continue;
    for (const replica of [primary, backup, third]) {
      assert.deepEqual(await readStoredBlock(replica, c), bytes);
    }
  }

  const second = await store.scrub({ expected });
  assert.equal(second.checked, 12);
  assert.equal(second.repaired, 0);
  assert.deepEqual(second.unrecoverable.map(String).sort(), lost);

  // Without the expected list, a block with no file anywhere cannot be known.
  const blind = await store.scrub();
  assert.equal(blind.checked, 11);
  assert.equal(blind.repaired, 0);
  assert.deepEqual(blind.unrecoverable.map(String), [cid(5).toString()]);
});

test('scrub leaves out files its caller says are still being written', async () => {
  const store = ReplicatedBlockstore.inDirectory(freshDir());
  await store.open();
  const done = rawBlock('scrub: committed block');
  const writing = rawBlock('scrub: block being written in place');
  await store.put(done.cid, done.bytes);
  // An in-place write under way: a partial file under the final name on each replica.
  for (const replica of store.replicas) {
    await mkdir(path.dirname(blockFile(replica.path, writing.cid)), { recursive: true });
    await writeFile(blockFile(replica.path, writing.cid), writing.bytes.subarray(0, 4));
  }
  const skip = (key: string) => key === blockKey(writing.cid);
  assert.deepEqual(await store.scrub({ skip }), { checked: 1, repaired: 0, unrecoverable: [] });
  // Without `skip` the partial file counts as a block lost everywhere.
  const unaware = await store.scrub();
  assert.equal(unaware.checked, 2);
  assert.deepEqual(unaware.unrecoverable.map(String), [writing.cid.toString()]);
});

test('a batch writes data-synced blocks and fsyncs their directories once, on live replicas', async () => {
  const { store, good, faulty, failures } = await openWithFaulty(1);
  const batch = store.beginBatch();
  const blocks = Array.from({ length: 5 }, (_, i) => rawBlock(`batch ${i}`));
  faulty.failWritesAfter = 3;
  for (const { cid, bytes } of blocks) await batch.write(cid, bytes);
  assert.equal(batch.acks, 1);
  await batch.finish();
  assert.deepEqual(faulty.writeModes, ['data', 'data', 'data', 'data']);
  // The failed replica left the batch at its 4th block: it is not synced, the other is.
  assert.deepEqual(faulty.syncCalls, []);
  for (const { cid } of blocks) assert.equal(await good.has(cid), true);
  assert.equal(failures.length, 1);
  assert.equal(failures[0]?.cid?.toString(), blocks[3]?.cid.toString());

  const strict = await openWithFaulty(2);
  const strictBatch = strict.store.beginBatch();
  await strictBatch.write(blocks[0]?.cid as CID, blocks[0]?.bytes as Uint8Array);
  await strictBatch.finish();
  assert.deepEqual(strict.faulty.syncCalls, [{ count: 1, directoriesOnly: true }]);
  strict.faulty.failWritesAfter = 0;
  await assert.rejects(strictBatch.write(blocks[1]?.cid as CID, blocks[1]?.bytes as Uint8Array), {
    name: 'ReplicaWriteError',
  });
  await assert.rejects(strictBatch.finish(), { name: 'ReplicaWriteError' });
});
