// Helpers for tests that look at replica directories on disk.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { blockPath, sha256Multihash } from '../src/index.ts';

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

/** Temp files (`*.tmp`) under a replica directory. */
export async function tempFiles(dir: string): Promise<string[]> {
  return (await filesUnder(dir)).filter((file) => file.endsWith('.tmp'));
}

/** Where a block's file is in a replica. */
export function blockFile(replicaDir: string, cid: CID): string {
  const { dir, file } = blockPath(cid);
  return path.join(replicaDir, dir, file);
}

/** Flips one bit of a stored block, in place. */
export async function corruptBlock(replicaDir: string, cid: CID): Promise<void> {
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
