import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import type { CID } from 'multiformats/cid';
import {
  buildUnixfsDag,
  DEFAULT_FREE_QUOTA,
  FsBlockstore,
  OBJECT_CHUNK_SIZE,
  ObjectStore,
  type ObjectStoreOptions,
  ReplicatedBlockstore,
} from '../src/index.ts';
import {
  blockFile,
  corruptBlock,
  rawBlock,
  readStoredBlock,
  removeBlock,
  storedBlocks,
  tempFiles,
} from './disk.ts';
import { FaultyReplica } from './faulty-replica.ts';
import { seededBuffer, seededBytes } from './seeded-bytes.ts';

const MiB = 1024 * 1024;
const ALICE = '0x00000000000000000000000000000000000a11ce';
const BOB = '0x0000000000000000000000000000000000000b0b';

let root: string;
let counter = 0;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'aegle-objects-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function openStore(options: ObjectStoreOptions = {}) {
  const dataDir = path.join(root, `store-${counter++}`);
  const store = await ObjectStore.open(dataDir, { onReplicaFailure: () => {}, ...options });
  const replicas = store.blockstore.replicas.map((r) => r.path);
  return { store, dataDir, replicas };
}

/** A store whose backup replica is a fault injector (see test/faulty-replica.ts). */
async function openStoreWithFaulty(minAcks: number) {
  const dataDir = path.join(root, `store-${counter++}`);
  const faulty = new FaultyReplica(path.join(dataDir, 'blocks-backup'));
  const blockstore = new ReplicatedBlockstore(
    [new FsBlockstore(path.join(dataDir, 'blocks-primary')), faulty],
    { minAcks, onReplicaFailure: () => {} },
  );
  const store = await ObjectStore.open(dataDir, { blockstore });
  return { store, faulty, replicas: blockstore.replicas.map((r) => r.path) };
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

async function allBlockFiles(replicas: string[]): Promise<string[][]> {
  return Promise.all(replicas.map((r) => storedBlocks(r)));
}

async function allTempFiles(replicas: string[]): Promise<string[]> {
  return (await Promise.all(replicas.map((r) => tempFiles(r)))).flat();
}

/** The CIDs of every block of the DAG of `bytes` (as ObjectStore builds it), in order. */
async function dagBlocks(bytes: Uint8Array): Promise<CID[]> {
  const cids: CID[] = [];
  for await (const block of buildUnixfsDag([bytes], { chunkSize: OBJECT_CHUNK_SIZE })) {
    cids.push(block.cid);
  }
  return cids;
}

test('put stores an object on both replicas; get, has, stat and list see it once committed', async () => {
  const { store, replicas } = await openStore();
  const bytes = await seededBuffer('round trip', 3 * MiB + 5);
  const { cid, size } = await store.put({ account: ALICE, size: bytes.length, source: [bytes] });
  assert.equal(size, bytes.length);
  assert.deepEqual(await collect(store.get(cid)), bytes);
  assert.equal(store.has(cid), true);
  assert.equal(store.has(cid.toString()), true);
  const stat = store.stat(cid);
  assert.equal(stat.size, bytes.length);
  assert.equal(stat.blockCount, 5); // four 1 MiB leaves and a root
  assert.deepEqual(
    store.list(ALICE).map((o) => [o.cid.toString(), o.size]),
    [[cid.toString(), bytes.length]],
  );
  const expected = await dagBlocks(bytes);
  assert.equal(expected.at(-1)?.toString(), cid.toString());
  for (const replica of replicas) {
    assert.equal((await storedBlocks(replica)).length, 5);
    for (const block of expected) await readStoredBlock(replica, block);
  }
  assert.deepEqual(await allTempFiles(replicas), []);
  await store.close();
});

test('every account starts with 1 GiB free; usage counts committed bytes per account', async () => {
  const { store } = await openStore();
  assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  assert.equal(DEFAULT_FREE_QUOTA, 1024 ** 3);
  const bytes = await seededBuffer('usage', 100_000);
  await store.put({ account: ALICE, size: bytes.length, source: [bytes] });
  assert.deepEqual(store.usage(ALICE), {
    used: 100_000,
    reserved: 0,
    limit: DEFAULT_FREE_QUOTA,
  });
  assert.equal(store.usage(BOB).used, 0);
  await store.close();
});

test('an index from before roots counted their holders is counted at open, and deletes as before', async () => {
  const { store, dataDir, replicas } = await openStore();
  const [shared, own] = await Promise.all([
    seededBuffer('shared', 2000),
    seededBuffer('own', 3000),
  ]);
  const stored = await store.putMany([
    { account: ALICE, bytes: shared },
    { account: ALICE, bytes: own },
  ]);
  const [cid, ownCid] = stored.map((object) => object.cid) as [CID, CID];
  await store.putMany([{ account: BOB, bytes: shared }]);
  await store.close();
  // As the index was: holders found through an index of objects by root.
  const file = path.join(dataDir, 'objects.sqlite');
  const old = new DatabaseSync(file);
  old.exec('ALTER TABLE roots DROP COLUMN holders; CREATE INDEX objects_by_cid ON objects (cid);');
  old.close();

  const reopened = await ObjectStore.open(dataDir, { onReplicaFailure: () => {} });
  assert.equal(reopened.has(cid), true);
  await reopened.delete(ALICE, cid);
  assert.equal(reopened.has(cid), true, 'Bob still holds it');
  assert.deepEqual(await collect(reopened.get(cid)), shared);
  await reopened.delete(BOB, cid);
  assert.equal(reopened.has(cid), false);
  await reopened.delete(ALICE, ownCid);
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  await reopened.close();
  const migrated = new DatabaseSync(file);
  const indexes = migrated.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all();
  assert.ok(!indexes.some((row) => row.name === 'objects_by_cid'), 'the old index is dropped');
  migrated.close();
});

test('a put past the quota fails with QuotaExceededError before reading or storing anything', async () => {
  const { store, replicas } = await openStore();
  const first = await seededBuffer('fits', 2 * MiB);
  await store.put({ account: ALICE, size: first.length, source: [first] });
  const before = await allBlockFiles(replicas);
  let read = false;
  const untouched = (async function* () {
    read = true;
    yield new Uint8Array(1);
  })();
  await assert.rejects(
    store.put({ account: ALICE, size: DEFAULT_FREE_QUOTA - first.length + 1, source: untouched }),
    (error: Error & { used?: number; limit?: number; requested?: number }) => {
      assert.equal(error.name, 'QuotaExceededError');
      assert.equal(error.used, first.length);
      assert.equal(error.limit, DEFAULT_FREE_QUOTA);
      return true;
    },
  );
  assert.equal(read, false);
  assert.deepEqual(await allBlockFiles(replicas), before);
  assert.deepEqual(store.usage(ALICE), {
    used: first.length,
    reserved: 0,
    limit: DEFAULT_FREE_QUOTA,
  });
  // Exactly up to the limit still fits.
  store.setLimit(ALICE, first.length + 1000);
  const rest = await seededBuffer('the rest', 1000);
  await store.put({ account: ALICE, size: rest.length, source: [rest] });
  assert.equal(store.usage(ALICE).used, first.length + 1000);
  await assert.rejects(store.put({ account: ALICE, size: 1, source: [new Uint8Array(1)] }), {
    name: 'QuotaExceededError',
  });
  await store.close();
});

test('deleting releases quota and blocks; blocks shared between objects are refcounted', async () => {
  const { store, replicas } = await openStore();
  // B starts with A's first 2 MiB, so their first two leaves are the same blocks.
  const a = await seededBuffer('shared', 3 * MiB);
  const b = Buffer.concat([a.subarray(0, 2 * MiB), await seededBuffer('own tail', MiB + 7)]);
  const shared = (await dagBlocks(a)).slice(0, 2);
  assert.deepEqual((await dagBlocks(b)).slice(0, 2).map(String), shared.map(String));
  const { cid: cidA } = await store.put({ account: ALICE, size: a.length, source: [a] });
  const { cid: cidB } = await store.put({ account: ALICE, size: b.length, source: [b] });
  // A: 3 leaves + root; B: 2 shared leaves + 2 own leaves + root → 4 + 3 distinct files.
  for (const files of await allBlockFiles(replicas)) assert.equal(files.length, 7);
  assert.equal(store.usage(ALICE).used, a.length + b.length);

  await store.delete(ALICE, cidA);
  assert.equal(store.usage(ALICE).used, b.length);
  assert.equal(store.has(cidA), false);
  await assert.rejects(collect(store.get(cidA)), { name: 'ObjectNotFoundError' });
  for (const files of await allBlockFiles(replicas)) assert.equal(files.length, 5);
  for (const replica of replicas) {
    for (const block of shared) await readStoredBlock(replica, block);
  }
  assert.deepEqual(await collect(store.get(cidB)), b);

  await store.delete(ALICE, cidB);
  assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  await assert.rejects(store.delete(ALICE, cidB), { name: 'ObjectNotFoundError' });
  await store.close();
});

test('a one-block object needs no row for its block; deleting it frees the block unless a larger object has it as a leaf', async () => {
  const { store, dataDir, replicas } = await openStore();
  // A whole leaf, stored alone (its root is the raw leaf) and as the first leaf of a larger object.
  const big = await seededBuffer('a leaf, then more', OBJECT_CHUNK_SIZE + 1000);
  const leaf = big.subarray(0, OBJECT_CHUNK_SIZE);
  const small = await seededBuffer('a small record', 1500);
  const [alone, record] = await store.putMany([
    { account: ALICE, bytes: leaf },
    { account: ALICE, bytes: small },
  ]);
  const { cid: bigCid } = await store.put({ account: ALICE, size: big.length, source: [big] });
  assert.equal(alone?.cid.toString(), (await dagBlocks(big))[0]?.toString());
  await store.close();
  const index = () => new DatabaseSync(path.join(dataDir, 'objects.sqlite'));
  const db = index();
  const rows = (db.prepare('SELECT root FROM root_blocks').all() as { root: string }[]).map(
    (row) => row.root,
  );
  // The larger object lists its two leaves, not its own block; the one-block objects list none.
  assert.deepEqual(rows, [bigCid.toString(), bigCid.toString()]);
  // As an index written before the root's block was implied: the leaf object lists itself.
  db.prepare('INSERT INTO root_blocks (root, mh) VALUES (?, ?)').run(
    alone?.cid.toString() ?? '',
    alone?.cid.multihash.bytes ?? new Uint8Array(),
  );
  db.close();

  const reopened = await ObjectStore.open(dataDir, { onReplicaFailure: () => {} });
  await reopened.delete(ALICE, record?.cid as CID);
  await reopened.delete(ALICE, alone?.cid as CID);
  // The shared leaf lost one reference, not two: the larger object reads whole.
  assert.deepEqual(await collect(reopened.get(bigCid)), big);
  for (const files of await allBlockFiles(replicas)) assert.equal(files.length, 3);
  await reopened.delete(ALICE, bigCid);
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  const after = index();
  assert.equal(
    (after.prepare('SELECT count(*) AS n FROM root_blocks').get() as { n: number }).n,
    0,
  );
  after.close();
  await reopened.close();
});

test('two accounts storing the same object each pay for it; it lives until both delete it', async () => {
  const { store, replicas } = await openStore();
  const bytes = await seededBuffer('same content', MiB + 1);
  const { cid } = await store.put({ account: ALICE, size: bytes.length, source: [bytes] });
  await store.put({ account: BOB, size: bytes.length, source: [bytes] });
  assert.equal(store.usage(ALICE).used, bytes.length);
  assert.equal(store.usage(BOB).used, bytes.length);
  await store.delete(ALICE, cid);
  assert.deepEqual(await collect(store.get(cid)), bytes);
  await assert.rejects(store.delete(ALICE, cid), { name: 'ObjectNotFoundError' });
  await store.delete(BOB, cid);
  assert.equal(store.has(cid), false);
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  await store.close();
});

test('an abort mid-put leaves nothing behind', async () => {
  const { store, replicas } = await openStore();
  const controller = new AbortController();
  const size = 16 * MiB;
  let yielded = 0;
  const source = (async function* () {
    for await (const piece of seededBytes('aborted', size, MiB)) {
      yielded += piece.length;
      // Abort once several blocks are on disk.
      if (yielded === 6 * MiB) {
        while ((await storedBlocks(replicas[0] as string)).length < 3) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        controller.abort();
      }
      yield piece;
    }
  })();
  await assert.rejects(store.put({ account: ALICE, size, source, signal: controller.signal }), {
    name: 'AbortError',
  });
  assert.ok(yielded < size);
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  assert.deepEqual(await allTempFiles(replicas), []);
  assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  assert.deepEqual(store.list(ALICE), []);
  await store.close();
});

// The timeout only keeps a regression (a put waiting on the stalled source) from hanging the suite.
test('an abort while the source is stalled ends the put at once and leaves nothing behind', {
  timeout: 30_000,
}, async () => {
  const { store, replicas } = await openStore();
  const controller = new AbortController();
  let stalled = () => {};
  const source = (async function* () {
    yield* seededBytes('stalled', 4 * MiB, MiB);
    // A client that went quiet: this never resolves unless the test lets it.
    await new Promise<void>((resolve) => (stalled = resolve));
  })();
  const put = store.put({ account: ALICE, size: 8 * MiB, source, signal: controller.signal });
  // Some of its blocks are on disk before the abort.
  while ((await storedBlocks(replicas[0] as string)).length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  controller.abort();
  await assert.rejects(put, { name: 'AbortError' });
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  assert.deepEqual(await allTempFiles(replicas), []);
  assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  stalled();
  await store.close();
});

test('a source yielding fewer or more bytes than declared is rolled back', async () => {
  const { store, replicas } = await openStore();
  const bytes = await seededBuffer('mismatch', 3 * MiB);
  await assert.rejects(store.put({ account: ALICE, size: bytes.length + 1, source: [bytes] }), {
    name: 'SizeMismatchError',
  });
  await assert.rejects(store.put({ account: ALICE, size: bytes.length - 1, source: [bytes] }), {
    name: 'SizeMismatchError',
  });
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  await store.close();
});

test('a replica failing mid-put below minAcks fails the put and leaves nothing behind', async () => {
  const { store, faulty, replicas } = await openStoreWithFaulty(2);
  faulty.failWritesAfter = 2;
  const bytes = await seededBuffer('replica dies', 6 * MiB);
  await assert.rejects(store.put({ account: ALICE, size: bytes.length, source: [bytes] }), {
    name: 'ReplicaWriteError',
  });
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  assert.deepEqual(await allTempFiles(replicas), []);
  assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  await store.close();
});

test('with minAcks 1, a put survives a failing replica, and scrub later fills it in', async () => {
  const { store, faulty, replicas } = await openStoreWithFaulty(1);
  faulty.failWritesAfter = 2;
  const bytes = await seededBuffer('degraded', 6 * MiB);
  const { cid } = await store.put({ account: ALICE, size: bytes.length, source: [bytes] });
  const [primary, backup] = await allBlockFiles(replicas);
  assert.equal(primary?.length, 7);
  assert.equal(backup?.length, 2);
  // The replica comes back: scrub copies the 5 blocks it missed.
  faulty.failWritesAfter = Number.POSITIVE_INFINITY;
  const report = await store.scrub();
  assert.deepEqual(
    { checked: report.checked, repaired: report.repaired, lost: report.unrecoverable.length },
    { checked: 7, repaired: 5, lost: 0 },
  );
  assert.equal((await storedBlocks(replicas[1] as string)).length, 7);
  assert.deepEqual(await collect(store.get(cid)), bytes);
  await store.close();
});

test('a full disk fails the put with StorageFullError and leaves nothing behind', async () => {
  const { store, faulty, replicas } = await openStoreWithFaulty(2);
  faulty.failWritesAfter = 3;
  faulty.fault = 'enospc';
  const bytes = await seededBuffer('disk full', 6 * MiB);
  await assert.rejects(store.put({ account: ALICE, size: bytes.length, source: [bytes] }), {
    name: 'StorageFullError',
  });
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  assert.deepEqual(await allTempFiles(replicas), []);
  assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  await store.close();
});

test('get heals a corrupted leaf on the primary; a leaf lost everywhere fails naming its CID', async () => {
  const { store, replicas } = await openStore();
  const [primary, backup] = replicas as [string, string];
  const bytes = await seededBuffer('heal through get', 4 * MiB + 1);
  const { cid } = await store.put({ account: ALICE, size: bytes.length, source: [bytes] });
  const blocks = await dagBlocks(bytes);
  const leaf = blocks[1] as CID;
  await corruptBlock(primary, leaf);
  assert.deepEqual(await collect(store.get(cid)), bytes);
  const expectedLeaf = bytes.subarray(MiB, 2 * MiB);
  assert.deepEqual(await readStoredBlock(primary, leaf), new Uint8Array(expectedLeaf));

  const lost = blocks[2] as CID;
  await removeBlock(primary, lost);
  await removeBlock(backup, lost);
  await assert.rejects(collect(store.get(cid)), (error: Error & { cid?: string }) => {
    assert.equal(error.name, 'BlockNotFoundError');
    assert.equal(error.cid, lost.toString());
    assert.ok(error.message.includes(lost.toString()));
    return true;
  });
  // Scrub through the store knows the lost block from the index, though no replica has a file.
  await corruptBlock(backup, blocks[0] as CID);
  const report = await store.scrub();
  assert.equal(report.checked, blocks.length);
  assert.equal(report.repaired, 1);
  assert.deepEqual(report.unrecoverable.map(String), [lost.toString()]);
  await store.close();
});

test('scrub deletes block files no object needs (leftovers of lost intents), whole or partial, without copying them', async () => {
  const { store, replicas } = await openStore();
  const [primary] = replicas as [string, string];
  const bytes = await seededBuffer('scrub orphan', 2 * MiB);
  const { cid } = await store.put({ account: ALICE, size: bytes.length, source: [bytes] });
  // What power loss can leave if an in-place write's intent row never reached the disk: a file
  // under a block's final name that no upload or object knows. Partial, on every replica:
  const partial = rawBlock('never committed').cid;
  for (const replica of replicas) {
    await mkdir(path.dirname(blockFile(replica, partial)), { recursive: true });
    await writeFile(blockFile(replica, partial), 'never');
  }
  // Whole (it hashes to its name), on the primary only: a scrub must not copy it to the backup.
  const whole = rawBlock('written in full, never committed');
  await mkdir(path.dirname(blockFile(primary, whole.cid)), { recursive: true });
  await writeFile(blockFile(primary, whole.cid), whole.bytes);
  const report = await store.scrub();
  assert.deepEqual(
    { ...report, unrecoverable: report.unrecoverable.length },
    { checked: (await dagBlocks(bytes)).length, repaired: 0, unrecoverable: 0, reclaimed: 2 },
  );
  for (const orphan of [partial, whole.cid]) {
    for (const replica of replicas) {
      await assert.rejects(readFile(blockFile(replica, orphan)), { code: 'ENOENT' });
    }
  }
  assert.deepEqual(await collect(store.get(cid)), bytes);
  await store.close();
});

test('scrub never reclaims the blocks of an upload still being written', async () => {
  const { store, replicas } = await openStore();
  const [primary] = replicas as [string, string];
  const bytes = await seededBuffer('scrub during upload', 4 * MiB);
  let resume: () => void = () => {};
  const paused = new Promise<void>((resolve) => {
    resume = resolve;
  });
  // Three leaves, then the source stalls: some of their files exist, and no object needs them yet.
  async function* source() {
    yield bytes.subarray(0, 3 * MiB);
    await paused;
    yield bytes.subarray(3 * MiB);
  }
  const put = store.put({ account: ALICE, size: bytes.length, source: source() });
  const deadline = Date.now() + 10_000;
  while ((await storedBlocks(primary)).length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const written = (await storedBlocks(primary)).length;
  assert.ok(written > 0, 'the upload wrote blocks before its source stalled');
  const report = await store.scrub();
  assert.equal(report.reclaimed, 0);
  assert.equal((await storedBlocks(primary)).length, written);
  resume();
  const { cid } = await put;
  assert.deepEqual(await collect(store.get(cid)), bytes);
  assert.deepEqual((await store.scrub()).reclaimed, 0);
  await store.close();
});

test('a digest of what get streams equals the source, for a size that is not a chunk multiple', async () => {
  const { store } = await openStore({ chunkSize: 100_000 });
  const size = 2_345_678;
  const { cid } = await store.put({
    account: ALICE,
    size,
    source: seededBytes('digest', size, 77_777),
  });
  const want = createHash('sha256');
  for await (const piece of seededBytes('digest', size)) want.update(piece);
  const got = createHash('sha256');
  for await (const piece of store.get(cid)) got.update(piece);
  assert.equal(got.digest('hex'), want.digest('hex'));
  await store.close();
});

test('one store at a time per data directory: a second open fails with StoreInUseError', async () => {
  const { store, dataDir } = await openStore();
  await assert.rejects(ObjectStore.open(dataDir), { name: 'StoreInUseError' });
  await store.close();
  // Closing releases it (and a killed owner's lock goes with its process: see crash-safety).
  const reopened = await ObjectStore.open(dataDir);
  await reopened.close();
});

test('putMany stores in-memory objects all at once: each as put would, readable, billed per account', async () => {
  const { store, replicas } = await openStore();
  const small = await Promise.all(
    Array.from({ length: 20 }, (_, i) => seededBuffer(`small ${i}`, 100 + i * 321)),
  );
  const large = await seededBuffer('two leaves', MiB + 7);
  const empty = new Uint8Array(0);
  const inputs = [
    ...small.map((bytes, i) => ({ account: i % 2 ? ALICE : BOB, bytes })),
    { account: ALICE, bytes: large },
    { account: BOB, bytes: empty },
  ];
  const stored = await store.putMany(inputs);
  assert.equal(stored.length, inputs.length);
  for (const [i, { bytes }] of inputs.entries()) {
    const { cid, size } = stored[i] as { cid: CID; size: number };
    // The same root as put would give: the UnixFS DAG of the bytes.
    assert.equal(cid.toString(), (await dagBlocks(bytes)).at(-1)?.toString());
    assert.equal(size, bytes.length);
    assert.deepEqual(await collect(store.get(cid)), Buffer.from(bytes));
  }
  const billed = (account: string) =>
    inputs.filter((x) => x.account === account).reduce((sum, x) => sum + x.bytes.length, 0);
  assert.equal(store.usage(ALICE).used, billed(ALICE));
  assert.equal(store.usage(BOB).used, billed(BOB));
  assert.equal(store.usage(ALICE).reserved, 0);
  // 22 objects, the large one of three blocks: 24 block files on each replica.
  for (const files of await allBlockFiles(replicas)) assert.equal(files.length, 24);
  assert.deepEqual(await allTempFiles(replicas), []);
  await store.close();
});

test('putMany past an account quota (by the sum of its objects) stores none of them', async () => {
  const { store, replicas } = await openStore();
  store.setLimit(ALICE, 10_000);
  const inputs = await Promise.all(
    [3000, 3000, 3000, 3000].map(async (n, i) => ({
      account: ALICE,
      bytes: await seededBuffer(`quota ${i}`, n),
    })),
  );
  await assert.rejects(store.putMany(inputs), { name: 'QuotaExceededError' });
  assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: 10_000 });
  assert.deepEqual(await allBlockFiles(replicas), [[], []]);
  assert.equal((await store.putMany(inputs.slice(0, 3))).length, 3);
  assert.equal(store.usage(ALICE).used, 9000);
  await store.close();
});

test('putMany with a replica failing below minAcks, or a full disk, leaves nothing behind', async () => {
  for (const fault of ['eio', 'enospc'] as const) {
    const { store, faulty, replicas } = await openStoreWithFaulty(2);
    faulty.failWritesAfter = 5;
    faulty.fault = fault;
    const inputs = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => ({
        account: ALICE,
        bytes: await seededBuffer(`faulty ${fault} ${i}`, 5000),
      })),
    );
    await assert.rejects(store.putMany(inputs), {
      name: fault === 'enospc' ? 'StorageFullError' : 'ReplicaWriteError',
    });
    assert.deepEqual(await allBlockFiles(replicas), [[], []]);
    assert.deepEqual(await allTempFiles(replicas), []);
    assert.deepEqual(store.usage(ALICE), { used: 0, reserved: 0, limit: DEFAULT_FREE_QUOTA });
    await store.close();
  }
});
