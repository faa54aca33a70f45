import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FsBlockstore as UpstreamFsBlockstore } from 'blockstore-fs';
import { importByteStream } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { identity } from 'multiformats/hashes/identity';
import { sha512 } from 'multiformats/hashes/sha2';
import { seededBuffer, seededBytes } from '../test/seeded-bytes.ts';
import { sha256Multihash } from './block-hash.ts';
import { blockPath } from './block-path.ts';
import { buildUnixfsDag } from './build-unixfs-dag.ts';
import { FsBlockstore } from './fs-blockstore.ts';
import { allocatePageAligned, PAGE_SIZE } from './page-aligned.ts';
import { readUnixfs } from './read-unixfs.ts';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'aegle-fsbs-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function openStore(name: string): Promise<FsBlockstore> {
  const store = new FsBlockstore(path.join(root, name));
  await store.open();
  return store;
}

function rawBlock(text: string): { cid: CID; bytes: Uint8Array } {
  const bytes = new TextEncoder().encode(text);
  return { cid: CID.createV1(raw.code, sha256Multihash(bytes)), bytes };
}

async function concat(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

async function allFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

test('put, has, get, delete round trip; delete is idempotent', async () => {
  const store = await openStore('roundtrip');
  const { cid, bytes } = rawBlock('hello block');
  assert.equal(await store.has(cid), false);
  assert.equal(await store.put(cid, bytes), cid);
  assert.equal(await store.has(cid), true);
  assert.deepEqual(await store.getBlock(cid), bytes);
  assert.deepEqual(await concat(store.get(cid)), Buffer.from(bytes));
  await store.delete(cid);
  await store.delete(cid);
  assert.equal(await store.has(cid), false);
});

test('put accepts iterables and async iterables of parts', async () => {
  const store = await openStore('parts');
  const { cid, bytes } = rawBlock('in three parts');
  await store.put(cid, [bytes.subarray(0, 3), bytes.subarray(3, 7), bytes.subarray(7)]);
  assert.deepEqual(await store.getBlock(cid), bytes);
  await store.delete(cid);
  await store.put(cid, seededLike(bytes));
  assert.deepEqual(await store.getBlock(cid), bytes);
});

async function* seededLike(bytes: Uint8Array) {
  yield bytes.subarray(0, 5);
  yield bytes.subarray(5);
}

test('put refuses bytes that do not hash to the CID, and writes nothing', async () => {
  const store = await openStore('refuse');
  const { cid } = rawBlock('the real content');
  await assert.rejects(store.put(cid, new TextEncoder().encode('something else')), {
    name: 'CorruptBlockError',
  });
  assert.deepEqual(await allFiles(store.path), []);
});

test('get verifies: a corrupted file is a CorruptBlockError naming the CID, a missing one BlockNotFoundError', async () => {
  const store = await openStore('verify');
  const { cid, bytes } = rawBlock('will be corrupted');
  await store.put(cid, bytes);
  const { dir, file } = blockPath(cid);
  const onDisk = path.join(store.path, dir, file);
  const flipped = Buffer.from(bytes);
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  await writeFile(onDisk, flipped);
  await assert.rejects(store.getBlock(cid), (error: Error & { cid?: string }) => {
    assert.equal(error.name, 'CorruptBlockError');
    assert.equal(error.cid, cid.toString());
    assert.match(error.message, new RegExp(cid.toString()));
    return true;
  });
  await rm(onDisk);
  await assert.rejects(store.getBlock(cid), { name: 'BlockNotFoundError', cid: cid.toString() });
});

test('only sha2-256 CIDs are accepted', async () => {
  const store = await openStore('hashes');
  const bytes = new TextEncoder().encode('sha-512 block');
  const sha512Cid = CID.createV1(raw.code, await sha512.digest(bytes));
  await assert.rejects(store.put(sha512Cid, bytes), { name: 'UnsupportedHashError' });
  const identityCid = CID.createV1(raw.code, identity.digest(bytes));
  await assert.rejects(store.put(identityCid, bytes), { name: 'UnsupportedHashError' });
});

test('the on-disk layout is blockstore-fs’s: each reads what the other wrote', async () => {
  const ours = await openStore('compat');
  const theirs = new UpstreamFsBlockstore(ours.path);
  await theirs.open();
  const a = rawBlock('written by us');
  const b = rawBlock('written by blockstore-fs');
  await ours.put(a.cid, a.bytes);
  await theirs.put(b.cid, b.bytes);
  assert.deepEqual(await concat(theirs.get(a.cid)), Buffer.from(a.bytes));
  assert.deepEqual(await ours.getBlock(b.cid), b.bytes);
  // Same paths: the multihash in base32upper, sharded by its last two characters.
  const expected = [a.cid, b.cid].map((cid) => path.join(blockPath(cid).dir, blockPath(cid).file));
  assert.deepEqual(await allFiles(ours.path), expected.sort());
  assert.match(path.basename(expected[0] ?? ''), /^BCIQ[A-Z2-7]+\.data$/);
});

test('a write leaves no temp file behind, and removeTempFiles clears a crashed one', async () => {
  const store = await openStore('temps');
  const { cid, bytes } = rawBlock('no temp left');
  await store.put(cid, bytes);
  const { dir, file } = blockPath(cid);
  assert.deepEqual(await allFiles(store.path), [path.join(dir, file)]);
  // What a SIGKILL between write and rename leaves: a partial temp file, never the final name.
  await writeFile(path.join(store.path, dir, `${file}.999-0.tmp`), bytes.subarray(0, 3));
  assert.equal(await store.removeTempFiles(), 1);
  assert.deepEqual(await allFiles(store.path), [path.join(dir, file)]);
});

test('in-place writes create the final name directly, and replace a bad file already there', async () => {
  const store = await openStore('in-place');
  const { cid, bytes } = rawBlock('written in place');
  const { dir, file } = blockPath(cid);
  await store.writeVerifiedBlock(cid, bytes, { sync: 'data', inPlace: true });
  assert.deepEqual(await allFiles(store.path), [path.join(dir, file)]);
  assert.deepEqual(await store.getBlock(cid), bytes);
  // What a crash mid-write leaves under the final name: a partial file. Writing the block again
  // (a later upload of the same bytes) must not keep it, nor fail on the name being taken.
  await writeFile(path.join(store.path, dir, file), bytes.subarray(0, 3));
  await assert.rejects(store.getBlock(cid), { name: 'CorruptBlockError' });
  await store.writeVerifiedBlock(cid, bytes, { sync: 'full', inPlace: true });
  assert.deepEqual(await store.getBlock(cid), bytes);
  assert.deepEqual(await allFiles(store.path), [path.join(dir, file)]);
});

test('page-aligned whole-page blocks (O_DIRECT where the file system allows it) read back exactly', async () => {
  const store = await openStore('direct');
  const [aligned, alsoAligned] = allocatePageAligned(3 * PAGE_SIZE, 2) as [Uint8Array, Uint8Array];
  aligned.set(await seededBuffer('direct a', aligned.length));
  alsoAligned.set(await seededBuffer('direct b', alsoAligned.length));
  // A whole-page view, a partial last page (buffered), and both write paths.
  const cases = [
    { bytes: aligned, options: { sync: 'data', inPlace: true } },
    { bytes: alsoAligned.subarray(0, PAGE_SIZE + 5), options: { sync: 'data', inPlace: true } },
    { bytes: alsoAligned.subarray(PAGE_SIZE), options: { sync: 'full' } },
  ] as const;
  for (const { bytes, options } of cases) {
    const cid = CID.createV1(raw.code, sha256Multihash(bytes));
    await store.writeVerifiedBlock(cid, bytes, options);
    assert.deepEqual(await store.getBlock(cid), bytes);
    assert.equal(
      (await readFile(path.join(store.path, blockPath(cid).dir, blockPath(cid).file))).length,
      bytes.length,
    );
  }
  assert.deepEqual(
    (await allFiles(store.path)).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('reads (O_DIRECT through pooled buffers where possible) return every size exactly, and its hash, many at once', async () => {
  const store = await openStore('direct-reads');
  // Empty, under a page, a page and a byte around it, a whole leaf, and one larger than the
  // direct-read buffers (read through the page cache).
  const sizes = [0, 1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 1024 * 1024, 1024 * 1024 + 1];
  const blocks: { cid: CID; bytes: Uint8Array }[] = [];
  for (const size of sizes) {
    const bytes = new Uint8Array(await seededBuffer(`read ${size}`, size));
    const cid = CID.createV1(raw.code, sha256Multihash(bytes));
    await store.writeVerifiedBlock(cid, bytes, { sync: 'deferred' });
    blocks.push({ cid, bytes });
  }
  for (const { cid, bytes } of blocks) {
    const hashed = await store.readHashed(cid);
    assert.deepEqual(hashed?.bytes, bytes);
    assert.deepEqual(new Uint8Array(hashed?.digest ?? []), new Uint8Array(cid.multihash.digest));
    const read = await store.getBlock(cid);
    assert.deepEqual(read, bytes);
    // The caller's own memory: a whole ArrayBuffer, not a view of a shared pool.
    assert.equal(read.byteOffset, 0);
    assert.equal(read.buffer.byteLength, bytes.length);
  }
  // More reads at once than the pool has buffers: the rest go through the page cache, and each
  // result stays intact while the pool's buffers are reused.
  const many = await Promise.all(
    Array.from({ length: 5 }, () =>
      Promise.all(
        blocks.map(async ({ cid }) => {
          const hashed = await store.readHashed(cid);
          assert.deepEqual(
            new Uint8Array(hashed?.digest ?? []),
            new Uint8Array(cid.multihash.digest),
          );
          return store.getBlock(cid);
        }),
      ),
    ),
  );
  for (const round of many) {
    assert.deepEqual(
      round.map((b) => Buffer.from(b).toString('hex')),
      blocks.map((b) => Buffer.from(b.bytes).toString('hex')),
    );
  }
});

test('deferred writes are readable at once and made durable by syncBlocks', async () => {
  const store = await openStore('deferred');
  const blocks = Array.from({ length: 20 }, (_, i) => rawBlock(`deferred ${i}`));
  for (const { cid, bytes } of blocks) await store.put(cid, bytes, { sync: 'deferred' });
  await store.syncBlocks(blocks.map((b) => b.cid));
  for (const { cid, bytes } of blocks) assert.deepEqual(await store.getBlock(cid), bytes);
  // Syncing a block that is not there is an error, not a silent success.
  await assert.rejects(store.syncBlocks([rawBlock('absent').cid]), { code: 'ENOENT' });
});

test("'data' writes are in place at once; syncBlocks with directoriesOnly syncs their directories", async () => {
  const store = await openStore('data-sync');
  const blocks = Array.from({ length: 20 }, (_, i) => rawBlock(`data ${i}`));
  for (const { cid, bytes } of blocks) await store.writeVerifiedBlock(cid, bytes, { sync: 'data' });
  for (const { cid, bytes } of blocks) assert.deepEqual(await store.getBlock(cid), bytes);
  await store.syncBlocks(
    blocks.map((b) => b.cid),
    { directoriesOnly: true },
  );
  // Only directories are opened: a block that is gone does not matter, a shard that is gone does.
  await rm(
    path.join(
      store.path,
      blockPath(blocks[0]?.cid as CID).dir,
      blockPath(blocks[0]?.cid as CID).file,
    ),
  );
  await store.syncBlocks([blocks[0]?.cid as CID], { directoriesOnly: true });
  await assert.rejects(store.syncBlocks([blocks[0]?.cid as CID]), { code: 'ENOENT' });
  assert.deepEqual(
    (await allFiles(store.path)).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('putMany, getMany, deleteMany and getAll (raw CIDv1 keys, since files hold only multihashes)', async () => {
  const store = await openStore('many');
  const blocks = Array.from({ length: 40 }, (_, i) => rawBlock(`many ${i}`));
  const put: CID[] = [];
  for await (const cid of store.putMany(blocks)) put.push(cid);
  assert.equal(put.length, 40);
  const got = new Map<string, Buffer>();
  for await (const pair of store.getMany(blocks.map((b) => b.cid))) {
    got.set(pair.cid.toString(), await concat(toAsync(pair.bytes)));
  }
  for (const { cid, bytes } of blocks)
    assert.deepEqual(got.get(cid.toString()), Buffer.from(bytes));
  const all = new Set<string>();
  for await (const pair of store.getAll()) {
    assert.equal(pair.cid.code, raw.code);
    all.add(pair.cid.toString());
  }
  assert.deepEqual(all, new Set(blocks.map((b) => b.cid.toString())));
  let deleted = 0;
  for await (const _ of store.deleteMany(blocks.slice(0, 10).map((b) => b.cid))) deleted++;
  assert.equal(deleted, 10);
  assert.equal((await allFiles(store.path)).length, 30);
});

async function* toAsync(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>) {
  yield* source;
}

test('readUnixfs streams back a DAG written by ipfs-unixfs-importer into this store', async () => {
  const store = await openStore('foreign-dag');
  const size = 3 * 1024 * 1024 + 7;
  const imported = await importByteStream(seededBytes('foreign', size), store);
  assert.deepEqual(
    await concat(readUnixfs(store, imported.cid)),
    await seededBuffer('foreign', size),
  );
});

test('readUnixfs streams back our own DAGs, both profiles, written block by block', async () => {
  const store = await openStore('own-dag');
  for (const profile of ['aegle', 'kubo-classic'] as const) {
    for (const size of [0, 1, 300_000, 2_000_000]) {
      const dag = buildUnixfsDag(seededBytes(`own-${size}`, size), {
        profile,
        chunkSize: 65_536,
        maxChildrenPerNode: 5,
      });
      let step = await dag.next();
      for (; !step.done; step = await dag.next()) await store.put(step.value.cid, step.value.bytes);
      const bytes = await concat(readUnixfs(store, step.value.cid));
      assert.deepEqual(bytes, await seededBuffer(`own-${size}`, size), `${profile} ${size}`);
    }
  }
});

test('readUnixfs fails with a typed error naming a missing block', async () => {
  const store = await openStore('missing-leaf');
  const dag = buildUnixfsDag(seededBytes('gap', 200_000), { chunkSize: 50_000 });
  const cids: CID[] = [];
  let step = await dag.next();
  for (; !step.done; step = await dag.next()) {
    cids.push(step.value.cid);
    await store.put(step.value.cid, step.value.bytes);
  }
  const lost = cids[2] as CID;
  await store.delete(lost);
  await assert.rejects(concat(readUnixfs(store, step.value.cid)), {
    name: 'BlockNotFoundError',
    cid: lost.toString(),
  });
});

test('readFile of a stored block equals its bytes (files are plain blocks, no framing)', async () => {
  const store = await openStore('plain');
  const { cid, bytes } = rawBlock('plain file');
  await store.put(cid, bytes);
  const { dir, file } = blockPath(cid);
  assert.deepEqual(await readFile(path.join(store.path, dir, file)), Buffer.from(bytes));
});
