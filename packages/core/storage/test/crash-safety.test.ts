import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import type { CID } from 'multiformats/cid';
import {
  buildUnixfsDag,
  DEFAULT_FREE_QUOTA,
  OBJECT_CHUNK_SIZE,
  ObjectStore,
} from '../src/index.ts';
import { batchObject, OBJECTS_PER_BATCH } from './batch-objects.ts';
import { storedBlocks, tempFiles } from './disk.ts';
import { seededBytes } from './seeded-bytes.ts';

// Kill -9 a process in the middle of a large write, and just after one: on reopen the object is
// absent with its quota released and its blocks gone, or fully present and byte-exact.

const MiB = 1024 * 1024;
const ALICE = '0x00000000000000000000000000000000000a11ce';
const WRITER = path.join(import.meta.dirname, 'crash-writer.ts');
const BATCH_WRITER = path.join(import.meta.dirname, 'crash-batch-writer.ts');

let root: string;
const children: ChildProcess[] = [];
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'aegle-crash-'));
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

/** Starts the writer; `lines` yields its stdout lines. */
function startWriter(dataDir: string, size: number, seed: string) {
  const child = spawn(process.execPath, [WRITER, dataDir, ALICE, String(size), seed], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, lines: createInterface({ input: child.stdout }), exited };
}

async function rootCid(seed: string, size: number): Promise<CID> {
  const dag = buildUnixfsDag(seededBytes(seed, size, MiB), { chunkSize: OBJECT_CHUNK_SIZE });
  for (let step = await dag.next(); ; step = await dag.next()) {
    if (step.done) return step.value.cid;
  }
}

async function sha256(source: AsyncIterable<Uint8Array>): Promise<string> {
  const digest = createHash('sha256');
  for await (const piece of source) digest.update(piece);
  return digest.digest('hex');
}

function replicaDirs(dataDir: string): string[] {
  return ['blocks-primary', 'blocks-backup'].map((name) => path.join(dataDir, name));
}

test('killed mid-write: after reopen the object is absent, its quota released, its blocks gone', async () => {
  const dataDir = path.join(root, 'mid-write');
  const seed = 'crash mid-write';
  const size = 160 * MiB;
  // A committed object made of the big one's first 4 MiB: its blocks are shared, and must survive
  // the rollback of the killed upload.
  const small = await ObjectStore.open(dataDir);
  const kept = await small.put({
    account: ALICE,
    size: 4 * MiB,
    source: seededBytes(seed, 4 * MiB),
  });
  await small.close();
  const keptFiles = await Promise.all(replicaDirs(dataDir).map(storedBlocks));
  assert.deepEqual(
    keptFiles.map((files) => files.length),
    [5, 5],
  );

  const { child, lines, exited } = startWriter(dataDir, size, seed);
  let committed = false;
  for await (const line of lines) {
    if (line.startsWith('committed')) committed = true;
    if (committed || !line.startsWith('progress')) continue;
    if (Number(line.split(' ')[1]) < 24 * MiB) continue;
    // Some of the new object's blocks are on disk (besides the 5 shared ones): kill it now.
    if ((await storedBlocks(replicaDirs(dataDir)[0] as string)).length > 12) {
      child.kill('SIGKILL');
      break;
    }
  }
  assert.equal(await exited, 'SIGKILL');
  assert.equal(committed, false, 'the writer finished before it could be killed');
  const halfWritten = await Promise.all(replicaDirs(dataDir).map(storedBlocks));
  assert.ok(
    halfWritten.every((files) => files.length > 5),
    'new blocks were on disk at the kill',
  );

  const store = await ObjectStore.open(dataDir);
  const big = await rootCid(seed, size);
  assert.equal(store.has(big), false);
  assert.deepEqual(
    store.list(ALICE).map((o) => o.cid.toString()),
    [kept.cid.toString()],
  );
  assert.deepEqual(store.usage(ALICE), { used: 4 * MiB, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  assert.deepEqual(await Promise.all(replicaDirs(dataDir).map(storedBlocks)), keptFiles);
  assert.deepEqual((await Promise.all(replicaDirs(dataDir).map(tempFiles))).flat(), []);
  assert.equal(await sha256(store.get(kept.cid)), await sha256(seededBytes(seed, 4 * MiB)));
  // The same bytes can be stored again from the recovered state.
  const again = await store.put({ account: ALICE, size, source: seededBytes(seed, size, MiB) });
  assert.equal(again.cid.toString(), big.toString());
  await store.close();
});

test('killed just after commit: after reopen the object is fully present and byte-exact', async () => {
  const dataDir = path.join(root, 'after-commit');
  const seed = 'crash after commit';
  const size = 64 * MiB + 12_345;
  const { child, lines, exited } = startWriter(dataDir, size, seed);
  let cid: string | undefined;
  for await (const line of lines) {
    if (!line.startsWith('committed')) continue;
    cid = line.split(' ')[1];
    child.kill('SIGKILL');
    break;
  }
  assert.equal(await exited, 'SIGKILL');
  assert.ok(cid);
  assert.equal(cid, (await rootCid(seed, size)).toString());

  const store = await ObjectStore.open(dataDir);
  assert.equal(store.has(cid), true);
  assert.deepEqual(store.usage(ALICE), { used: size, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  const stat = store.stat(cid);
  assert.equal(stat.size, size);
  for (const files of await Promise.all(replicaDirs(dataDir).map(storedBlocks))) {
    assert.equal(files.length, stat.blockCount);
  }
  assert.equal(await sha256(store.get(cid)), await sha256(seededBytes(seed, size)));
  const report = await store.scrub();
  assert.deepEqual(
    { checked: report.checked, repaired: report.repaired, lost: report.unrecoverable.length },
    { checked: stat.blockCount, repaired: 0, lost: 0 },
  );
  await store.close();
});

test('killed inside a putMany: every batch is wholly present or wholly absent, quota exact', {
  timeout: 120_000,
}, async () => {
  const dataDir = path.join(root, 'put-many');
  const child = spawn(process.execPath, [BATCH_WRITER, dataDir, ALICE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  // Reported batches (putMany returned): these must all be there after the kill.
  const reported = new Map<number, string[]>();
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on('line', (line) => {
    const [word, batch, cids] = line.split(' ');
    if (word === 'committed') reported.set(Number(batch), (cids as string).split(','));
  });
  // Three batches in, kill it once the next batch's blocks are appearing on disk: inside putMany,
  // between its first block file and its commit.
  const primary = replicaDirs(dataDir)[0] as string;
  let onDisk = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (reported.size < 3) continue;
    assert.ok(reported.size < 30, 'no kill landed inside a putMany in 30 batches');
    const committed = reported.size * OBJECTS_PER_BATCH;
    onDisk = (await storedBlocks(primary)).length;
    if (onDisk > committed && onDisk < committed + OBJECTS_PER_BATCH) {
      child.kill('SIGKILL');
      break;
    }
  }
  assert.equal(await exited, 'SIGKILL');
  lines.close();
  assert.ok(onDisk > reported.size * OBJECTS_PER_BATCH, 'the next batch was partly on disk');

  const store = await ObjectStore.open(dataDir);
  let used = 0;
  let objects = 0;
  for (let batch = 0; batch < reported.size + 2; batch++) {
    const contents = await Promise.all(
      Array.from({ length: OBJECTS_PER_BATCH }, (_, i) => batchObject(batch, i)),
    );
    const cids = await Promise.all(contents.map((bytes) => rootCidOf([bytes])));
    const present = cids.filter((cid) => store.has(cid));
    if (reported.has(batch)) {
      assert.equal(present.length, OBJECTS_PER_BATCH, `reported batch ${batch} is whole`);
      assert.deepEqual(
        cids.map(String),
        reported.get(batch),
        `batch ${batch} has the reported CIDs`,
      );
    } else {
      // The batch in flight at the kill: all of it committed, or none of it.
      assert.ok(
        present.length === 0 || present.length === OBJECTS_PER_BATCH,
        `batch ${batch}: ${present.length} of ${OBJECTS_PER_BATCH} objects`,
      );
    }
    for (const [i, cid] of cids.entries()) {
      if (!store.has(cid)) continue;
      const bytes = contents[i] as Uint8Array;
      assert.equal(await sha256(store.get(cid)), await sha256(oneShot(bytes)), `${batch}/${i}`);
      used += bytes.length;
      objects++;
    }
  }
  assert.deepEqual(store.usage(ALICE), { used, reserved: 0, limit: DEFAULT_FREE_QUOTA });
  assert.equal(store.list(ALICE).length, objects);
  // One block per small object, on each replica, and nothing half-written left behind.
  for (const files of await Promise.all(replicaDirs(dataDir).map(storedBlocks))) {
    assert.equal(files.length, objects);
  }
  assert.deepEqual((await Promise.all(replicaDirs(dataDir).map(tempFiles))).flat(), []);
  await store.close();
});

async function* oneShot(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function rootCidOf(pieces: Uint8Array[]): Promise<CID> {
  const dag = buildUnixfsDag(pieces, { chunkSize: OBJECT_CHUNK_SIZE });
  for (let step = await dag.next(); ; step = await dag.next()) {
    if (step.done) return step.value.cid;
  }
}
