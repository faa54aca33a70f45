import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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
import { FsBlockstore, type FsBlockstoreOptions } from './fs-blockstore.ts';
import { allocatePageAligned, PAGE_SIZE } from './page-aligned.ts';
import { readUnixfs } from './read-unixfs.ts';
import { SMALL_BLOCK_FILE, SMALL_BLOCK_MAX } from './small-block-table.ts';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'aegle-fsbs-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function openStore(name: string, options?: FsBlockstoreOptions): Promise<FsBlockstore> {
  const store = new FsBlockstore(path.join(root, name), options);
  await store.open();
  return store;
}

/** A store that keeps every block in a file, as blockstore-fs does: for the file tier's tests. */
const openFileStore = (name: string) => openStore(name, { smallBlockMax: 0 });

function rawBlock(text: string): { cid: CID; bytes: Uint8Array } {
  const bytes = new TextEncoder().encode(text);
  return { cid: CID.createV1(raw.code, sha256Multihash(bytes)), bytes };
}

async function concat(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

/** Every file under `dir` but the small-block table's. */
async function allFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.startsWith(SMALL_BLOCK_FILE))
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
  const store = await openFileStore('verify');
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

test('the file tier is blockstore-fs’s layout: each reads what the other wrote', async () => {
  const ours = await openStore('compat');
  const theirs = new UpstreamFsBlockstore(ours.path);
  await theirs.open();
  // Ours in a file (over the small-block size); theirs small, which ours finds as a file too.
  const large = new Uint8Array(await seededBuffer('written by us', SMALL_BLOCK_MAX + 1));
  const a = { cid: CID.createV1(raw.code, sha256Multihash(large)), bytes: large };
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
  const store = await openFileStore('temps');
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
  const store = await openFileStore('in-place');
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
  const store = await openFileStore('direct');
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

test('deferred writes (files) are readable at once and made durable by syncBlocks', async () => {
  const store = await openFileStore('deferred');
  const blocks = Array.from({ length: 20 }, (_, i) => rawBlock(`deferred ${i}`));
  for (const { cid, bytes } of blocks) await store.put(cid, bytes, { sync: 'deferred' });
  await store.syncBlocks(blocks.map((b) => b.cid));
  for (const { cid, bytes } of blocks) assert.deepEqual(await store.getBlock(cid), bytes);
  // Syncing a block that is not there is an error, not a silent success.
  await assert.rejects(store.syncBlocks([rawBlock('absent').cid]), { code: 'ENOENT' });
});

test("'data' writes are in place at once; syncBlocks with directoriesOnly syncs their directories", async () => {
  const store = await openFileStore('data-sync');
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
  const left: CID[] = [];
  for await (const cid of store.listBlocks()) left.push(cid);
  assert.equal(left.length, 30);
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
  const store = await openFileStore('plain');
  const { cid, bytes } = rawBlock('plain file');
  await store.put(cid, bytes);
  const { dir, file } = blockPath(cid);
  assert.deepEqual(await readFile(path.join(store.path, dir, file)), Buffer.from(bytes));
});

/** What another connection (another process, or the disk after a crash) sees in the table. */
function committedRows(store: FsBlockstore): string[] {
  const db = new DatabaseSync(path.join(store.path, SMALL_BLOCK_FILE), { readOnly: true });
  try {
    const rows = db.prepare('SELECT multihash FROM blocks').all() as { multihash: Uint8Array }[];
    return rows.map((r) => Buffer.from(r.multihash).toString('hex')).sort();
  } finally {
    db.close();
  }
}

const hexOf = (cid: CID) => Buffer.from(cid.multihash.bytes).toString('hex');

test('small blocks are rows of the replica’s table, not files; large ones stay files', async () => {
  const store = await openStore('tiers');
  const small = new Uint8Array(await seededBuffer('small', SMALL_BLOCK_MAX));
  const large = new Uint8Array(await seededBuffer('large', SMALL_BLOCK_MAX + 1));
  const [s, l] = [small, large].map((bytes) => ({
    cid: CID.createV1(raw.code, sha256Multihash(bytes)),
    bytes,
  })) as [{ cid: CID; bytes: Uint8Array }, { cid: CID; bytes: Uint8Array }];
  await store.put(s.cid, s.bytes);
  await store.put(l.cid, l.bytes);
  assert.deepEqual(await allFiles(store.path), [
    path.join(blockPath(l.cid).dir, blockPath(l.cid).file),
  ]);
  // A lone put is durable on return: committed, visible to another connection.
  assert.deepEqual(committedRows(store), [hexOf(s.cid)]);
  for (const b of [s, l]) {
    assert.equal(await store.has(b.cid), true);
    assert.deepEqual(await store.getBlock(b.cid), b.bytes);
    const hashed = await store.readHashed(b.cid);
    assert.deepEqual(new Uint8Array(hashed?.digest ?? []), new Uint8Array(b.cid.multihash.digest));
  }
  const listed: string[] = [];
  for await (const cid of store.listBlocks()) listed.push(cid.toString());
  assert.deepEqual(listed.sort(), [s.cid, l.cid].map((c) => c.toString()).sort());
  await store.delete(s.cid);
  assert.equal(await store.has(s.cid), false);
  assert.deepEqual(committedRows(store), []);
  await assert.rejects(store.getBlock(s.cid), { name: 'BlockNotFoundError' });
  await store.close();
});

test("small 'data' and 'deferred' writes are readable at once, and committed together by syncBlocks or close", async () => {
  const store = await openStore('staged');
  const blocks = Array.from({ length: 10 }, (_, i) => rawBlock(`staged ${i}`));
  for (const [i, { cid, bytes }] of blocks.entries()) {
    await store.writeVerifiedBlock(cid, bytes, {
      sync: i % 2 ? 'data' : 'deferred',
      inPlace: true,
    });
  }
  for (const { cid, bytes } of blocks) assert.deepEqual(await store.getBlock(cid), bytes);
  // Not on disk yet: what a crash now would lose, as with files not yet synced.
  assert.deepEqual(committedRows(store), []);
  await store.syncBlocks(
    blocks.slice(0, 2).map((b) => b.cid),
    { directoriesOnly: true },
  );
  assert.deepEqual(committedRows(store), blocks.map((b) => hexOf(b.cid)).sort());
  assert.deepEqual(await allFiles(store.path), []);
  // A staged block deleted before the sync is never written; close commits the rest.
  const gone = rawBlock('staged then deleted');
  const kept = rawBlock('staged then closed');
  await store.writeVerifiedBlock(gone.cid, gone.bytes, { sync: 'deferred' });
  await store.writeVerifiedBlock(kept.cid, kept.bytes, { sync: 'deferred' });
  await store.delete(gone.cid);
  await store.close();
  assert.deepEqual(committedRows(store), [...blocks, kept].map((b) => hexOf(b.cid)).sort());
  const reopened = await openStore('staged');
  assert.deepEqual(await reopened.getBlock(kept.cid), kept.bytes);
  assert.equal(await reopened.has(gone.cid), false);
  await reopened.close();
});

test('a corrupted row is a CorruptBlockError, and a rewrite replaces it', async () => {
  const store = await openStore('bad-row');
  const { cid, bytes } = rawBlock('row to corrupt');
  await store.put(cid, bytes);
  const db = new DatabaseSync(path.join(store.path, SMALL_BLOCK_FILE));
  const flipped = Buffer.from(bytes);
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  db.prepare('UPDATE blocks SET bytes = ? WHERE multihash = ?').run(flipped, cid.multihash.bytes);
  db.close();
  await assert.rejects(store.getBlock(cid), { name: 'CorruptBlockError', cid: cid.toString() });
  await store.writeVerifiedBlock(cid, bytes, { sync: 'full' });
  assert.deepEqual(await store.getBlock(cid), bytes);
  await store.close();
});

test('a small block left as a file (written by a store without the table) is read, listed once per copy, and deleted whole', async () => {
  const files = await openFileStore('old-layout');
  const { cid, bytes } = rawBlock('from before the table');
  await files.put(cid, bytes);
  await files.close();
  const store = await openStore('old-layout');
  assert.deepEqual(await store.getBlock(cid), bytes);
  // Written again (a repair, a new upload of the same bytes): now a row as well.
  await store.writeVerifiedBlock(cid, bytes, { sync: 'full' });
  const listed: CID[] = [];
  for await (const c of store.listBlocks()) listed.push(c);
  assert.deepEqual(listed.map(String), [cid.toString(), cid.toString()]);
  await store.delete(cid);
  assert.equal(await store.has(cid), false);
  assert.deepEqual(await allFiles(store.path), []);
  await store.close();
});

test('a staged small block keeps its bytes when the caller reuses its buffer before the sync', async () => {
  const store = await openStore('staged-copy');
  const pooled = new Uint8Array(4096);
  pooled.set(new TextEncoder().encode('a leaf in a pooled buffer'));
  const bytes = pooled.subarray(0, 25);
  const cid = CID.createV1(raw.code, sha256Multihash(bytes));
  await store.writeVerifiedBlock(cid, bytes, { sync: 'data', inPlace: true });
  pooled.fill(0xee); // the pool hands the buffer to the next leaf
  await store.syncBlocks([cid], { directoriesOnly: true });
  assert.equal(Buffer.from(await store.getBlock(cid)).toString(), 'a leaf in a pooled buffer');
  await store.close();
});
