import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { importByteStream } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { CID } from 'multiformats/cid';
import { seededBytes } from '../test/seeded-bytes.ts';
import { blockMatchesCid } from './block-hash.ts';
import { BufferPool } from './buffer-pool.ts';
import { buildUnixfsDag, type DagBlock, type UnixfsDagOptions } from './build-unixfs-dag.ts';
import { sha256Shared } from './sha256-worker.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
/** The acceptance sizes: empty, one byte, around one chunk, several chunks, and > 174 chunks. */
const SIZES = [0, 1, 256 * KiB - 1, 256 * KiB, 256 * KiB + 1, 5 * MiB + 12_345, 45 * MiB];

async function build(seed: string, size: number, options?: UnixfsDagOptions) {
  const dag = buildUnixfsDag(seededBytes(seed, size), options);
  const blocks: DagBlock[] = [];
  for (let step = await dag.next(); ; step = await dag.next()) {
    if (step.done) return { ...step.value, blocks };
    // Keep only small blocks' bytes: the 45 MiB case would otherwise hold the whole file.
    blocks.push({
      cid: step.value.cid,
      bytes: step.value.bytes.length <= 64 * KiB ? step.value.bytes : new Uint8Array(),
    });
  }
}

/** A blockstore for the importer that keeps nothing: only the CIDs matter here. */
const discard = { put: async (cid: CID) => cid };

describe('buildUnixfsDag agrees with ipfs-unixfs-importer (Aegle profile: raw leaves, CIDv1)', () => {
  test('the installed importer defaults are the ones we claim: CIDv1, raw leaves, reduce single leaf, 256 KiB, 174', async () => {
    // No options at all: if a future importer changes a default, this test names it.
    const withDefaults = await importByteStream(
      seededBytes('defaults', 45 * MiB),
      discard as never,
    );
    const ours = await build('defaults', 45 * MiB);
    assert.equal(withDefaults.cid.toString(), ours.cid.toString());
    assert.equal(ours.cid.version, 1);
  });

  for (const size of SIZES) {
    test(`${size} bytes`, async () => {
      const ours = await build(`agree-${size}`, size);
      const theirs = await importByteStream(seededBytes(`agree-${size}`, size), discard as never, {
        rawLeaves: true,
        cidVersion: 1,
        reduceSingleLeafToSelf: true,
      });
      assert.equal(ours.cid.toString(), theirs.cid.toString());
      assert.equal(ours.size, size);
      assert.equal(BigInt(ours.dagSize), theirs.size);
      // A single-chunk file is its raw leaf; more chunks need a dag-pb root.
      assert.equal(ours.cid.code, size <= 256 * KiB ? 0x55 : 0x70);
    });
  }

  test('the 45 MiB file has two levels: 175 leaves under 2 nodes under the root', async () => {
    const ours = await build('levels', 45 * MiB);
    const leaves = ours.blocks.filter((b) => b.cid.code === 0x55).length;
    const nodes = ours.blocks.filter((b) => b.cid.code === 0x70).length;
    assert.equal(leaves, 180);
    assert.equal(nodes, 3);
    assert.equal(ours.blockCount, 183);
  });

  test('deep trees with a small chunk size and fan-out (4 levels, partial groups at each)', async () => {
    const options = { chunkSize: 1000, maxChildrenPerNode: 3 };
    for (const size of [3000, 3001, 9000, 27_000, 27_001, 81_000 + 1, 100_123]) {
      const ours = await build(`deep-${size}`, size, options);
      const theirs = await importByteStream(seededBytes(`deep-${size}`, size), discard as never, {
        chunker: fixedSize({ chunkSize: 1000 }),
        layout: balanced({ maxChildrenPerNode: 3 }),
      });
      assert.equal(ours.cid.toString(), theirs.cid.toString(), `size ${size}`);
    }
  });

  test('every yielded block hashes to its CID and the root is the last block', async () => {
    const ours = await build('hash-check', 600 * KiB);
    for (const block of ours.blocks) {
      if (block.bytes.length > 0) assert.ok(blockMatchesCid(block.cid, block.bytes));
    }
    assert.equal(ours.blocks.at(-1)?.cid.toString(), ours.cid.toString());
  });

  test('rejects a chunk size outside 1 byte..4 MiB and a fan-out below 2', async () => {
    await assert.rejects(build('x', 10, { chunkSize: 0 }), { name: 'InvalidStorageOptionError' });
    await assert.rejects(build('x', 10, { chunkSize: 8 * MiB }), {
      name: 'InvalidStorageOptionError',
    });
    await assert.rejects(build('x', 10, { maxChildrenPerNode: 1 }), {
      name: 'InvalidStorageOptionError',
    });
  });
});

describe('buildUnixfsDag in kubo-classic mode agrees with ipfs_cid (dag-pb leaves, CIDv0)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'aegle-dag-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const size of SIZES) {
    test(`${size} bytes`, async () => {
      const file = path.join(dir, `classic-${size}`);
      await pipeline(seededBytes(`classic-${size}`, size), createWriteStream(file));
      const { stdout } = await promisify(execFile)('ipfs_cid', [file]);
      const kubo = JSON.parse(stdout) as { CIDv0: string };
      const ours = await build(`classic-${size}`, size, { profile: 'kubo-classic' });
      assert.equal(ours.cid.toString(), kubo.CIDv0);
      assert.equal(ours.cid.version, 0);
      await rm(file);
    });
  }
});

describe('hashAhead (leaves hashed on the thread pool) changes nothing but where hashing runs', () => {
  for (const size of [0, 1, 256 * KiB, 5 * MiB + 12_345, 45 * MiB]) {
    test(`${size} bytes: the same blocks, in the same order, as hashing here`, async () => {
      const here = await build(`ahead-${size}`, size);
      const ahead = await build(`ahead-${size}`, size, { hashAhead: 3 });
      assert.deepEqual(
        ahead.blocks.map((b) => b.cid.toString()),
        here.blocks.map((b) => b.cid.toString()),
      );
      assert.deepEqual(
        { cid: ahead.cid.toString(), size: ahead.size, dagSize: ahead.dagSize },
        { cid: here.cid.toString(), size: here.size, dagSize: here.dagSize },
      );
    });
  }

  test('with the hash worker and shared pooled leaves (the object writer): the same blocks', async () => {
    const size = 5 * MiB + 12_345;
    const here = await build('ahead-worker', size);
    const pool = new BufferPool(256 * KiB, 8, { shared: true });
    const dag = buildUnixfsDag(seededBytes('ahead-worker', size, 100_000), {
      hashAhead: 2,
      digest: sha256Shared,
      allocate: pool.allocate,
    });
    const cids: string[] = [];
    let shared = 0;
    let step = await dag.next();
    for (; !step.done; step = await dag.next()) {
      assert.equal(blockMatchesCid(step.value.cid, step.value.bytes), true);
      if (step.value.bytes.buffer instanceof SharedArrayBuffer) shared++;
      cids.push(step.value.cid.toString());
      pool.release(step.value.bytes);
    }
    assert.ok(shared > 10, 'leaves were assembled in shared memory');
    assert.deepEqual(
      cids,
      here.blocks.map((b) => b.cid.toString()),
    );
    assert.equal(step.value.cid.toString(), here.cid.toString());
  });

  test('each yielded leaf hashes to its CID', async () => {
    const dag = buildUnixfsDag(seededBytes('ahead-verify', 3 * MiB + 7, 50_000), {
      hashAhead: 2,
      chunkSize: 100_000,
    });
    let leaves = 0;
    for (let step = await dag.next(); !step.done; step = await dag.next()) {
      assert.equal(blockMatchesCid(step.value.cid, step.value.bytes), true);
      leaves++;
    }
    assert.ok(leaves > 30);
  });
});
