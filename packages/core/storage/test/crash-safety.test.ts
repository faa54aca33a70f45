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
import { blockFiles, tempFiles } from './disk.ts';
import { seededBytes } from './seeded-bytes.ts';

// Kill -9 a process in the middle of a large write, and just after one: on reopen the object is
// absent with its quota released and its blocks gone, or fully present and byte-exact.

const MiB = 1024 * 1024;
const ALICE = '0x00000000000000000000000000000000000a11ce';
const WRITER = path.join(import.meta.dirname, 'crash-writer.ts');

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
  const keptFiles = await Promise.all(replicaDirs(dataDir).map(blockFiles));
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
    if ((await blockFiles(replicaDirs(dataDir)[0] as string)).length > 12) {
      child.kill('SIGKILL');
      break;
    }
  }
  assert.equal(await exited, 'SIGKILL');
  assert.equal(committed, false, 'the writer finished before it could be killed');
  const halfWritten = await Promise.all(replicaDirs(dataDir).map(blockFiles));
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
  assert.deepEqual(await Promise.all(replicaDirs(dataDir).map(blockFiles)), keptFiles);
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
  for (const files of await Promise.all(replicaDirs(dataDir).map(blockFiles))) {
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
