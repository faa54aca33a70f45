// Helpers for tests that look at replica directories on disk, where a block is a row of the
// small-block table or a file of its own (see FsBlockstore), as another process would see them:
// through their own SQLite connection, so only committed rows.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { base32upper } from 'multiformats/bases/base32';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { blockPath, sha256Multihash } from '../src/index.ts';
import { SMALL_BLOCK_FILE } from '../src/small-block-table.ts';

/** Every file under `dir` (relative paths, sorted); [] if `dir` does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Block files (`*.data`) under a replica directory. */
export async function blockFiles(dir: string): Promise<string[]> {
  return (await filesUnder(dir)).filter((file) => file.endsWith('.data'));
}

/** Runs `fn` on the replica's small-block table (its own connection); undefined if none. */
function withTable<T>(replicaDir: string, fn: (db: DatabaseSync) => T): T | undefined {
  const file = path.join(replicaDir, SMALL_BLOCK_FILE);
  if (!existsSync(file)) return undefined;
  const db = new DatabaseSync(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const rowOf = (db: DatabaseSync, cid: CID) =>
  db.prepare('SELECT bytes FROM blocks WHERE multihash = ?').get(cid.multihash.bytes) as
    | { bytes: Uint8Array }
    | undefined;

/**
 * Every block a replica holds, rows and files, by key (the multihash in base32upper, the file
 * name's stem), sorted; a block both a row and a file is listed twice.
 */
export async function storedBlocks(replicaDir: string): Promise<string[]> {
  const rows =
    withTable(replicaDir, (db) =>
      (db.prepare('SELECT multihash FROM blocks').all() as { multihash: Uint8Array }[]).map((r) =>
        base32upper.encoder.encode(r.multihash),
      ),
    ) ?? [];
  const files = (await blockFiles(replicaDir)).map((f) => path.basename(f, '.data'));
  return [...rows, ...files].sort();
}

/** A block's bytes as a replica holds them (its row, else its file); ENOENT if neither. */
export async function readStoredBlock(replicaDir: string, cid: CID): Promise<Uint8Array> {
  const row = withTable(replicaDir, (db) => rowOf(db, cid)?.bytes);
  return row ?? new Uint8Array(await readFile(blockFile(replicaDir, cid)));
}

/** Removes a block's row and file from a replica, as a lost disk sector would; it must be there. */
export async function removeBlock(replicaDir: string, cid: CID): Promise<void> {
  const removed = withTable(replicaDir, (db) =>
    Number(db.prepare('DELETE FROM blocks WHERE multihash = ?').run(cid.multihash.bytes).changes),
  );
  await rm(blockFile(replicaDir, cid), { force: removed !== undefined && removed > 0 });
}

/** Temp files (`*.tmp`) under a replica directory. */
export async function tempFiles(dir: string): Promise<string[]> {
  return (await filesUnder(dir)).filter((file) => file.endsWith('.tmp'));
}

/** Where a block's file is in a replica. */
export function blockFile(replicaDir: string, cid: CID): string {
  const { dir, file } = blockPath(cid);
  return path.join(replicaDir, dir, file);
}

/** Flips one bit of a stored block (its row, else its file), in place. */
export async function corruptBlock(replicaDir: string, cid: CID): Promise<void> {
  const corrupted = withTable(replicaDir, (db) => {
    const bytes = rowOf(db, cid)?.bytes;
    if (bytes === undefined) return false;
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
    db.prepare('UPDATE blocks SET bytes = ? WHERE multihash = ?').run(bytes, cid.multihash.bytes);
    return true;
  });
  if (corrupted) return;
  const file = blockFile(replicaDir, cid);
  const bytes = await readFile(file);
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
  await writeFile(file, bytes);
}

/** A raw block (CIDv1, sha2-256) of some text. */
export function rawBlock(text: string): { cid: CID; bytes: Uint8Array } {
  const bytes = new TextEncoder().encode(text);
  return { cid: CID.createV1(raw.code, sha256Multihash(bytes)), bytes };
}
