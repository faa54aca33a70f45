import { type Dirent, constants as fsConstants, mkdirSync } from 'node:fs';
import { access, type FileHandle, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Blockstore, InputPair, Pair } from 'interface-blockstore';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as Digest from 'multiformats/hashes/digest';
import { sha256 } from '#sha256';
import { blockMatchesCid } from './block-hash.ts';
import { blockPath, cidFromBlockFile } from './block-path.ts';
import { BufferPool } from './buffer-pool.ts';
import { collectBytes, once } from './bytes.ts';
import {
  BlockNotFoundError,
  CorruptBlockError,
  isDiskFullError,
  StorageFullError,
} from './errors.ts';
import { fsyncDirectory, fsyncFile } from './fsync.ts';
import { isDirectWritable, PAGE_SIZE } from './page-aligned.ts';
import { parallelMap } from './parallel-map.ts';
import { sha256Shared } from './sha256-worker.ts';
import { SMALL_BLOCK_FILE, SMALL_BLOCK_MAX, SmallBlockTable } from './small-block-table.ts';

/** The options every interface-blockstore method takes. */
export type AbortOptions = { signal?: AbortSignal };

const MANY_CONCURRENCY = 16;
/** Largest block read with O_DIRECT: an object leaf (1 MiB, `OBJECT_CHUNK_SIZE`). */
const DIRECT_READ_MAX = 1_048_576;
/**
 * Direct reads at once per replica (each holds a pool buffer only for its read and copy): the
 * object reader's read-ahead is 4; more at once (getMany, scrub) read through the page cache.
 */
const DIRECT_READS = 8;
/** `#readDirect`'s answer for a file it leaves to the page-cache path. */
const DIRECT_UNSUITABLE = Symbol('direct read unsuitable');
const TEMP_SUFFIX = '.tmp';
/** Linux only: elsewhere the constant is undefined and every write goes through the page cache. */
const O_DIRECT = fsConstants.O_DIRECT ?? 0;
const CREATE_FLAGS = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL;
/**
 * Each write returns once its bytes, and the size and allocation needed to read them back, are
 * on stable storage: fdatasync's guarantee, without a separate call (and thread-pool round trip)
 * per block. Where the platform lacks it, an explicit datasync follows the writes instead.
 */
const O_DSYNC = fsConstants.O_DSYNC ?? 0;

/** A block a batch wrote, with its size: `syncBlocks` then knows a row from a file unasked. */
export type WrittenBlock = { cid: CID; size: number };

export type BlockWriteOptions = AbortOptions & {
  /**
   * `'full'` (default): the block file and its directory entry are fsynced before `put` returns.
   * `'data'`: the file's bytes are fsynced before it is renamed into place, but the directory
   * entry is not: the caller batches that and must call `syncBlocks(cids, { directoriesOnly:
   * true })` before relying on the blocks (the object writer does, once per object, because one
   * directory fsync per block costs a journal commit each).
   * `'deferred'`: nothing is fsynced; the caller must call `syncBlocks` on these CIDs.
   */
  sync?: 'full' | 'data' | 'deferred';
  /**
   * Write straight into the block's final name (created with O_EXCL) instead of a temp file
   * renamed over it: one file operation less per block, and no rename to journal. Only for a
   * caller that records the block in a durable intent log before the write and deletes it on
   * rollback or recovery (the object writer): a crash mid-write leaves a partial file under the
   * final name, which reads reject (every read re-hashes) but nothing else would remove. If the
   * name exists already, the write falls back to temp file and rename.
   */
  inPlace?: boolean;
};

export type FsBlockstoreOptions = {
  /**
   * Blocks of at most this many bytes are rows of the replica's SQLite table (see
   * small-block-table.ts) instead of files. Default `SMALL_BLOCK_MAX` (64 KiB); 0 keeps every
   * block in a file of its own, as blockstore-fs does.
   */
  smallBlockMax?: number;
};

/**
 * A blockstore on a local file system: each block over 64 KiB (object leaves) a file of its own,
 * in blockstore-fs's layout (see `blockPath`); smaller ones rows of one SQLite table in the same
 * directory (`small-blocks.sqlite`, see small-block-table.ts), since a file each cost more than
 * the rest of a small record's write. Reads look in the table, then for a file, so this store
 * reads every block blockstore-fs wrote; blockstore-fs reads the large ones this store writes.
 *
 * Writes go to a unique temp file in the shard directory, which is renamed over the final name
 * only once fully written, so the final name never holds a partial block, even after SIGKILL. With
 * `sync: 'full'` the file is fsynced before the rename and the directory after it, so the block
 * also survives power loss once `put` returns. The object writer instead writes straight into the
 * final name (`inPlace`), covered by its intent log.
 *
 * Whole, page-aligned blocks (the object writer's pooled leaves) are written with O_DIRECT: the
 * disk reads them from the buffer itself, so the CPU does not copy every byte into the page cache
 * and later write it back. That is what bounds ingest on a machine with two cores. The file is
 * still synced (O_DSYNC, see below) for its size and allocation and the disk's write cache.
 *
 * Every read is verified against the CID: `get` throws `CorruptBlockError` rather than return
 * bytes that do not hash to it.
 */
export class FsBlockstore implements Blockstore {
  readonly path: string;
  readonly #knownDirs = new Set<string>();
  /** Block writes running in this store, by final path. */
  readonly #writing = new Map<string, Promise<void>>();
  #tempCounter = 0;
  /** O_DIRECT is used until the file system refuses it once. */
  #direct = O_DIRECT !== 0;
  /** The same for reads (see `readUnverified`). */
  #directRead = O_DIRECT !== 0;
  /** Page-aligned buffers that direct reads land in, made on the first read. */
  readonly #readBuffers = new BufferPool(DIRECT_READ_MAX, DIRECT_READS, { shared: true });
  readonly #smallBlockMax: number;
  /** Opened on first use (see `#small`). */
  #smallTable: SmallBlockTable | undefined;

  constructor(location: string, options: FsBlockstoreOptions = {}) {
    this.path = path.resolve(location);
    this.#smallBlockMax = options.smallBlockMax ?? SMALL_BLOCK_MAX;
  }

  async open(): Promise<void> {
    await mkdir(this.path, { recursive: true });
    this.#small();
  }

  /** Writes what is staged in the small-block table, and closes it. */
  async close(): Promise<void> {
    const table = this.#smallTable;
    this.#smallTable = undefined;
    await table?.close();
  }

  /** The replica's small-block table, opened (and the directory made) on first use. */
  #small(): SmallBlockTable {
    if (this.#smallTable === undefined) {
      mkdirSync(this.path, { recursive: true });
      try {
        this.#smallTable = new SmallBlockTable(path.join(this.path, SMALL_BLOCK_FILE));
      } catch (error) {
        if (isDiskFullError(error)) throw new StorageFullError(this.path, { cause: error });
        throw error;
      }
    }
    return this.#smallTable;
  }

  /** Stores a block after checking it hashes to `cid`. Durable on return unless `sync: 'deferred'`. */
  async put(
    cid: CID,
    bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options: BlockWriteOptions = {},
  ): Promise<CID> {
    options.signal?.throwIfAborted();
    const block = await collectBytes(bytes);
    if (!blockMatchesCid(cid, block))
      throw new CorruptBlockError(cid.toString(), 'the input to put');
    await this.writeVerifiedBlock(cid, block, options);
    return cid;
  }

  /**
   * Stores bytes the caller has just hashed to `cid` (the DAG builder), skipping the re-hash.
   * Internal to @aegle/storage: a wrong CID here would store a block every read rejects.
   */
  async writeVerifiedBlock(
    cid: CID,
    block: Uint8Array,
    options: BlockWriteOptions = {},
  ): Promise<void> {
    if (block.length <= this.#smallBlockMax) {
      // A row: never partial, so `inPlace` changes nothing; 'data' and 'deferred' both wait for
      // syncBlocks, which flushes them all in one transaction.
      try {
        if ((options.sync ?? 'full') === 'full')
          await this.#small().write(cid.multihash.bytes, block);
        else this.#small().stage(cid.multihash.bytes, block);
      } catch (error) {
        if (isDiskFullError(error)) throw new StorageFullError(this.path, { cause: error });
        throw error;
      }
      return;
    }
    const { dir, file } = blockPath(cid);
    const dirPath = path.join(this.path, dir);
    const finalPath = path.join(dirPath, file);
    // One write per block file at a time in this store: an in-place write's cleanup unlinks the
    // final name, which must not remove a copy another write has just renamed there.
    const previous = this.#writing.get(finalPath);
    const write = (async () => {
      await previous?.catch(() => {});
      const mode = options.sync ?? 'full';
      // The name is taken (a complete copy, or a leftover): replace it atomically instead.
      if (options.inPlace && (await this.#writeInPlace(dirPath, finalPath, block, mode))) return;
      await this.#writeAndRename(dirPath, finalPath, block, mode);
    })();
    this.#writing.set(finalPath, write);
    try {
      await write;
    } finally {
      if (this.#writing.get(finalPath) === write) this.#writing.delete(finalPath);
    }
  }

  /** Temp file, then rename over the final name: the final name never holds a partial block. */
  async #writeAndRename(
    dirPath: string,
    finalPath: string,
    block: Uint8Array,
    mode: 'full' | 'data' | 'deferred',
  ): Promise<void> {
    const tempPath = `${finalPath}.${process.pid}-${this.#tempCounter++}${TEMP_SUFFIX}`;
    let handle: FileHandle | undefined;
    try {
      const opened = await this.#create(dirPath, tempPath, block, mode);
      handle = opened.handle;
      await writeAll(handle, block);
      if (mode !== 'deferred' && O_DSYNC === 0) await handle.datasync();
      await handle.close();
      handle = undefined;
      await rename(tempPath, finalPath);
      if (mode === 'full') {
        await fsyncDirectory(dirPath);
        if (opened.createdDir) await fsyncDirectory(this.path);
      }
    } catch (error) {
      await handle?.close().catch(() => {});
      await unlink(tempPath).catch(() => {});
      if (isDiskFullError(error)) throw new StorageFullError(this.path, { cause: error });
      throw error;
    }
  }

  /**
   * Creates the final name exclusively and writes the block straight into it (see
   * `BlockWriteOptions.inPlace`). False, having written nothing, if the name exists already.
   */
  async #writeInPlace(
    dirPath: string,
    finalPath: string,
    block: Uint8Array,
    mode: 'full' | 'data' | 'deferred',
  ): Promise<boolean> {
    let opened: { handle: FileHandle; createdDir: boolean; direct: boolean };
    try {
      opened = await this.#create(dirPath, finalPath, block, mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      if (isDiskFullError(error)) throw new StorageFullError(this.path, { cause: error });
      throw error;
    }
    const { handle, createdDir, direct } = opened;
    try {
      await writeAll(handle, block);
      if (mode !== 'deferred' && O_DSYNC === 0) await handle.datasync();
      await handle.close();
      if (mode === 'full') {
        await fsyncDirectory(dirPath);
        if (createdDir) await fsyncDirectory(this.path);
      }
      return true;
    } catch (error) {
      await handle.close().catch(() => {});
      // Ours (created exclusively, and no other write of this name runs meanwhile): remove it.
      await unlink(finalPath).catch(() => {});
      if (direct && (error as NodeJS.ErrnoException).code === 'EINVAL') {
        // The file system refused this direct write: write through the page cache from now on.
        this.#direct = false;
        return this.#writeInPlace(dirPath, finalPath, block, mode);
      }
      if (isDiskFullError(error)) throw new StorageFullError(this.path, { cause: error });
      throw error;
    }
  }

  /**
   * Opens `file` for writing, created exclusively, recreating the shard directory if needed;
   * with O_DIRECT when the block allows it (see page-aligned.ts) and the file system takes it.
   */
  async #create(
    dirPath: string,
    file: string,
    block: Uint8Array,
    mode: 'full' | 'data' | 'deferred',
  ): Promise<{ handle: FileHandle; createdDir: boolean; direct: boolean }> {
    let createdDir = await this.#ensureDir(dirPath);
    const buffered = CREATE_FLAGS | (mode === 'deferred' ? 0 : O_DSYNC);
    const direct = this.#direct && isDirectWritable(block);
    try {
      return { handle: await open(file, buffered | (direct ? O_DIRECT : 0)), createdDir, direct };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (direct && code === 'EINVAL') {
        // No O_DIRECT on this file system (tmpfs, some FUSE mounts): buffered from now on.
        this.#direct = false;
        return { handle: await open(file, buffered), createdDir, direct: false };
      }
      // The shard directory was removed behind our back (an operator cleaning up): recreate it.
      if (code !== 'ENOENT') throw error;
      this.#knownDirs.delete(dirPath);
      createdDir = await this.#ensureDir(dirPath);
      return { handle: await open(file, buffered), createdDir, direct: false };
    }
  }

  /**
   * Makes blocks written with `sync: 'deferred'` (or `'data'`, with `directoriesOnly`) durable:
   * commits the small-block table's staged rows, then fsyncs every other block's file, then every
   * shard directory holding them and the root (for shard directories created meanwhile), in
   * parallel. After it resolves, the blocks survive power loss. A block given with its size is
   * known to be a row or a file from it; a bare CID is looked up.
   */
  async syncBlocks(
    blocks: Iterable<CID | WrittenBlock>,
    options: { directoriesOnly?: boolean } = {},
  ): Promise<void> {
    const dirs = new Set<string>();
    const files: string[] = [];
    const small = this.#small();
    try {
      await small.flush();
    } catch (error) {
      if (isDiskFullError(error)) throw new StorageFullError(this.path, { cause: error });
      throw error;
    }
    for (const block of blocks) {
      const written = 'cid' in block ? block : undefined;
      const cid = written?.cid ?? (block as CID);
      // A row of the table (just committed by the flush): its size says so without a look-up.
      const isRow = written ? written.size <= this.#smallBlockMax : small.has(cid.multihash.bytes);
      if (isRow) continue;
      const { dir, file } = blockPath(cid);
      dirs.add(dir);
      if (!options.directoriesOnly) files.push(path.join(this.path, dir, file));
    }
    try {
      if (dirs.size === 0) return;
      for await (const _ of parallelMap(files, MANY_CONCURRENCY, fsyncFile));
      const dirPaths = [...dirs].map((dir) => path.join(this.path, dir));
      for await (const _ of parallelMap(dirPaths, MANY_CONCURRENCY, fsyncDirectory));
      await fsyncDirectory(this.path);
    } catch (error) {
      if (isDiskFullError(error)) throw new StorageFullError(this.path, { cause: error });
      throw error;
    }
  }

  async *get(cid: CID, options: AbortOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    options.signal?.throwIfAborted();
    yield await this.getBlock(cid);
  }

  /** The whole block, verified against its CID. */
  async getBlock(cid: CID): Promise<Uint8Array> {
    const bytes = await this.readUnverified(cid);
    if (bytes === undefined) throw new BlockNotFoundError(cid.toString());
    if (!blockMatchesCid(cid, bytes)) throw new CorruptBlockError(cid.toString(), this.path);
    return bytes;
  }

  /**
   * The file's bytes as they are on disk, or undefined if there is no such file.
   *
   * Read with O_DIRECT into a pooled page-aligned buffer, then copied into the returned one: the
   * disk writes straight into our memory, so the kernel neither fills the page cache (a page
   * allocated, filled and later evicted per 4 KiB) nor copies out of it. Measured reading 1 GiB
   * of cold 1 MiB blocks: 0.7 → 0.2 s of CPU and 0.85 → 0.5 s; the whole read benchmark (hash and
   * decrypt too) 3.1 → 2.2 s of CPU. A block larger than the pool's buffers, a read while they
   * are all in use, or a file system without O_DIRECT goes through the page cache instead.
   */
  async readUnverified(cid: CID): Promise<Uint8Array | undefined> {
    return (await this.#read(cid, false))?.bytes;
  }

  /**
   * `readUnverified` with the bytes' SHA-256 too. A direct read is hashed on the hash worker, in
   * the pool's shared buffer, while this thread copies it out (see sha256-worker.ts).
   */
  async readHashed(cid: CID): Promise<{ bytes: Uint8Array; digest: Uint8Array } | undefined> {
    const read = await this.#read(cid, true);
    if (read === undefined) return undefined;
    return { bytes: read.bytes, digest: read.digest ?? sha256(read.bytes) };
  }

  async #read(
    cid: CID,
    hash: boolean,
  ): Promise<{ bytes: Uint8Array; digest?: Uint8Array } | undefined> {
    const row = this.#small().read(cid.multihash.bytes);
    if (row !== undefined) return { bytes: row };
    const { dir, file } = blockPath(cid);
    const filePath = path.join(this.path, dir, file);
    const buffer = this.#directRead ? this.#readBuffers.lend() : undefined;
    try {
      if (buffer !== undefined) {
        const read = await this.#readDirect(filePath, buffer, hash);
        if (read !== DIRECT_UNSUITABLE) return read;
      }
    } finally {
      if (buffer !== undefined) this.#readBuffers.release(buffer);
    }
    let handle: FileHandle;
    try {
      handle = await open(filePath, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return { bytes: await readWhole(handle) };
    } finally {
      await handle.close();
    }
  }

  /**
   * The file read with O_DIRECT through `buffer`, copied out; `DIRECT_UNSUITABLE` if it must be
   * read through the page cache instead (too large, a short read, or O_DIRECT refused).
   */
  async #readDirect(
    filePath: string,
    buffer: Uint8Array,
    hash: boolean,
  ): Promise<{ bytes: Uint8Array; digest?: Uint8Array } | undefined | typeof DIRECT_UNSUITABLE> {
    let handle: FileHandle;
    try {
      handle = await open(filePath, fsConstants.O_RDONLY | O_DIRECT);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code !== 'EINVAL') throw error;
      this.#directRead = false; // no O_DIRECT on this file system (tmpfs, some FUSE mounts)
      return DIRECT_UNSUITABLE;
    }
    try {
      const { size } = await handle.stat();
      // Offset, length and address must be page multiples: ask for whole pages, get `size`.
      const request = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
      if (request > buffer.length) return DIRECT_UNSUITABLE;
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, request, 0));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        this.#directRead = false;
        return DIRECT_UNSUITABLE;
      }
      // Shorter than its size: the file changed meanwhile. Let the plain path read what is there.
      if (bytesRead !== size) return DIRECT_UNSUITABLE;
      const read = buffer.subarray(0, size);
      // To the worker only while it is idle: when it is behind (a busy machine), waiting for it
      // costs more than hashing here. Measured on the read benchmark, machine load ~5: median
      // 1641–1759 → 1405–1521 ms; always to the worker: no better than never.
      const digest = hash ? sha256Shared(read, { queue: 1 }) : undefined;
      const bytes = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
      bytes.set(read);
      return { bytes, digest: await digest };
    } finally {
      await handle.close();
    }
  }

  async has(cid: CID, options: AbortOptions = {}): Promise<boolean> {
    options.signal?.throwIfAborted();
    if (this.#small().has(cid.multihash.bytes)) return true;
    const { dir, file } = blockPath(cid);
    try {
      await access(path.join(this.path, dir, file), fsConstants.F_OK);
      return true;
    } catch {
      return false;
    }
  }

  /** Removes a block (its row and any file); a missing block is not an error (deletes are idempotent). */
  async delete(cid: CID, options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    this.#small().delete(cid.multihash.bytes);
    const { dir, file } = blockPath(cid);
    try {
      await unlink(path.join(this.path, dir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async *putMany(
    source: Iterable<InputPair> | AsyncIterable<InputPair>,
    options: BlockWriteOptions = {},
  ): AsyncGenerator<CID, void, undefined> {
    yield* parallelMap(source, MANY_CONCURRENCY, ({ cid, bytes }) => this.put(cid, bytes, options));
  }

  async *getMany(
    source: Iterable<CID> | AsyncIterable<CID>,
    options: AbortOptions = {},
  ): AsyncGenerator<Pair, void, undefined> {
    yield* parallelMap(source, MANY_CONCURRENCY, async (cid) => {
      const bytes = await this.getBlock(cid);
      options.signal?.throwIfAborted();
      return { cid, bytes: once(bytes) };
    });
  }

  async *deleteMany(
    source: Iterable<CID> | AsyncIterable<CID>,
    options: AbortOptions = {},
  ): AsyncGenerator<CID, void, undefined> {
    yield* parallelMap(source, MANY_CONCURRENCY, async (cid) => {
      await this.delete(cid, options);
      return cid;
    });
  }

  /**
   * Every block on disk, unverified (`scrub` verifies). The CIDs are raw CIDv1 because only the
   * multihash is stored (see `cidFromBlockFile`). Blocks deleted during the walk are skipped.
   */
  async *getAll(options: AbortOptions = {}): AsyncGenerator<Pair, void, undefined> {
    for await (const cid of this.listBlocks()) {
      options.signal?.throwIfAborted();
      const bytes = await this.readUnverified(cid);
      if (bytes !== undefined) yield { cid, bytes: once(bytes) };
    }
  }

  /**
   * The CID (raw CIDv1, see `cidFromBlockFile`) of every block, rows then files, without reading
   * them. A block both in the table and in a file (written before the table held such blocks)
   * is listed twice.
   */
  async *listBlocks(): AsyncGenerator<CID, void, undefined> {
    for (const multihash of this.#small().multihashes()) {
      yield CID.createV1(raw.code, Digest.decode(multihash));
    }
    for (const shard of await readdirOrEmpty(this.path)) {
      if (!shard.isDirectory()) continue;
      for (const entry of await readdirOrEmpty(path.join(this.path, shard.name))) {
        const cid = entry.isFile() ? cidFromBlockFile(entry.name) : undefined;
        if (cid !== undefined) yield cid;
      }
    }
  }

  /** Deletes temp files left by writes a crash interrupted. Call only while no write is running. */
  async removeTempFiles(): Promise<number> {
    let removed = 0;
    for (const shard of await readdirOrEmpty(this.path)) {
      if (!shard.isDirectory()) continue;
      const dirPath = path.join(this.path, shard.name);
      for (const entry of await readdirOrEmpty(dirPath)) {
        if (!entry.name.endsWith(TEMP_SUFFIX)) continue;
        await unlink(path.join(dirPath, entry.name)).catch(() => {});
        removed++;
      }
    }
    return removed;
  }

  /** Creates a shard directory once; true if it was created now (its parent then needs an fsync). */
  async #ensureDir(dirPath: string): Promise<boolean> {
    if (this.#knownDirs.has(dirPath)) return false;
    const created = (await mkdir(dirPath, { recursive: true })) !== undefined;
    this.#knownDirs.add(dirPath);
    return created;
  }
}

async function writeAll(handle: FileHandle, block: Uint8Array): Promise<void> {
  let written = 0;
  while (written < block.length) {
    const { bytesWritten } = await handle.write(block, written, block.length - written);
    written += bytesWritten;
  }
}

/**
 * A file's bytes in one read where it can (readFile reads in 512 KiB pieces: for a 1 MiB leaf a
 * thread-pool round trip more, each of which waits for this thread's turn). A plain Uint8Array
 * spanning its own ArrayBuffer (no copy), as interface-blockstore promises, not a Buffer. A file
 * changing meanwhile gives bytes that fail the hash check, like any other bad copy.
 */
async function readWhole(handle: FileHandle): Promise<Uint8Array> {
  const { size } = await handle.stat();
  // Not zero-filled: every byte is read over, or cut off below.
  const bytes = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
    if (bytesRead === 0) return bytes.slice(0, filled);
    filled += bytesRead;
  }
  return bytes;
}

async function readdirOrEmpty(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
