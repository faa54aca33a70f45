import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CID } from 'multiformats/cid';
import { blockKey } from './block-path.ts';
import { BufferPool } from './buffer-pool.ts';
import {
  buildUnixfsDag,
  type DagBlock,
  OBJECT_CHUNK_SIZE,
  type UnixfsDagResult,
} from './build-unixfs-dag.ts';
import {
  InvalidStorageOptionError,
  isDiskFullError,
  ObjectNotFoundError,
  SizeMismatchError,
  StorageFullError,
} from './errors.ts';
import { ObjectIndex, type ObjectInfo, type ObjectStat, type Usage } from './object-index.ts';
import { readUnixfs } from './read-unixfs.ts';
import {
  type BlockBatch,
  ReplicatedBlockstore as Replicated,
  type ReplicatedBlockstore,
  type ReplicatedBlockstoreOptions,
  type ScrubReport,
} from './replicated-blockstore.ts';
import { sha256Shared } from './sha256-worker.ts';

export type ObjectStoreOptions = ReplicatedBlockstoreOptions & {
  /** Replicas under the data directory (primary, backup, …). Default 2. */
  replicationFactor?: number;
  /**
   * Leaf size of the stored DAGs; the profile is always Aegle's (raw leaves, CIDv1). Default
   * `OBJECT_CHUNK_SIZE` (1 MiB, Helia's and Filecoin's default): a quarter of the files, renames
   * and fsyncs of kubo's 256 KiB, which is what bounds durable ingest speed.
   */
  chunkSize?: number;
  /** Quota of an account nobody has called `setLimit` for. Default `DEFAULT_FREE_QUOTA` (1 GiB). */
  defaultLimit?: number;
  /** Blocks being written at once during a put. Default 8 (8 MiB in flight with 1 MiB chunks). */
  writeConcurrency?: number;
  /**
   * How a put makes its blocks durable. `'object'` (default): each block file is fsynced as it is
   * written, and the shard directories holding them once, all together, before the commit.
   * `'block'`: each block's directory entry is fsynced too, as it is written.
   */
  durability?: 'object' | 'block';
  /** Replaces `ReplicatedBlockstore.inDirectory(dataDir)`, e.g. to place replicas on other disks. */
  blockstore?: ReplicatedBlockstore;
};

export type PutObjectInput = {
  /** Who pays for the bytes (an account address). */
  account: string;
  /** The exact byte count the source will yield; checked against the quota before any write. */
  size: number;
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  signal?: AbortSignal;
  /**
   * Called with each source buffer once the store has copied all of it (see `chunkFixedSize`).
   * A caller that owns the buffers (an HTTP body's chunks) passes `freeLeaf`: a gigabyte of
   * 64 KiB chunks otherwise waits for V8's full collections, whose marking costs as much CPU as
   * hashing does.
   */
  releaseInput?: (input: Uint8Array) => void;
};

const INDEX_FILE = 'objects.sqlite';
/** Leaves hashed on the worker ahead of the one being written. */
const HASH_AHEAD = 2;
const MAX_ACCOUNT_LENGTH = 256;

/**
 * Objects (UnixFS files) in a replicated blockstore, with per-account quotas, over a durable
 * SQLite index (see object-index.ts for the tables).
 *
 * One process at a time owns a data directory: the index keeps an exclusive SQLite lock on its
 * owner-lock.sqlite, which the OS drops when the process dies, so a crash never leaves a stale lock
 * behind.
 *
 * The invariants:
 * - the quota is checked, and the bytes reserved, before the first block is written;
 * - an object is visible (get, has, list, stat) only after the transaction that commits it, which
 *   runs after all its blocks are durable on at least `minAcks` replicas;
 * - every block an upload writes is first recorded in its intent log, so an upload that dies
 *   (error, SIGKILL, power loss) is rolled back on the next open: reservation released, blocks
 *   no committed object needs deleted;
 * - blocks are written in place (created O_EXCL under their final name, synced before the
 *   commit), not through a temp file and rename: a crash can leave a partial block file, but only
 *   of an upload that was not committed, and its intent row (written before the file is created)
 *   makes recovery delete it. Reads never see it (the object is not visible, and every read
 *   re-hashes); scrub skips blocks being written; a later write of the same block finds the name
 *   taken and replaces the file atomically. What the log can miss is power loss before the intent
 *   row reached the disk (intents are not fsynced, see ObjectIndex.addIntent): that leaves an
 *   unreferenced file, invisible and unbilled, replaced if the block is written again;
 * - blocks are shared between objects by content and deleted when the last object needing them is.
 */
export class ObjectStore {
  readonly dataDir: string;
  readonly blockstore: ReplicatedBlockstore;
  readonly #index: ObjectIndex;
  readonly #chunkSize: number;
  readonly #writeConcurrency: number;
  readonly #durability: 'object' | 'block';
  /** Blocks (by key) that uploads in this process are writing: garbage collection keeps them. */
  readonly #inflight = new Map<string, number>();
  /** Block deletions in progress: a writer of the same block waits for them first. */
  readonly #deleting = new Map<string, Promise<void>>();

  private constructor(
    dataDir: string,
    blockstore: ReplicatedBlockstore,
    index: ObjectIndex,
    options: ObjectStoreOptions,
  ) {
    this.dataDir = dataDir;
    this.blockstore = blockstore;
    this.#index = index;
    this.#chunkSize = options.chunkSize ?? OBJECT_CHUNK_SIZE;
    this.#writeConcurrency = options.writeConcurrency ?? 8;
    this.#durability = options.durability ?? 'object';
  }

  /**
   * Opens (creating if needed) the store in `dataDir` and recovers from a crash: uploads left
   * pending are rolled back and deletions left half-done are finished, before this resolves.
   */
  static async open(dataDir: string, options: ObjectStoreOptions = {}): Promise<ObjectStore> {
    const dir = path.resolve(dataDir);
    await mkdir(dir, { recursive: true });
    // First: the index holds the data directory's lock (see ObjectIndex), and recovery must not
    // run while another process is writing.
    const index = new ObjectIndex(path.join(dir, INDEX_FILE), { ...options, dir });
    try {
      const blockstore =
        options.blockstore ??
        Replicated.inDirectory(dir, { ...options, factor: options.replicationFactor ?? 2 });
      await blockstore.open();
      const store = new ObjectStore(dir, blockstore, index, options);
      await store.#recover();
      return store;
    } catch (error) {
      await index.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#deleting.values()]);
    await this.blockstore.close();
    await this.#index.close();
  }

  /**
   * Stores `size` bytes from `source` as one object owned by `account` and returns its CID.
   * Throws `QuotaExceededError` before writing anything if the account cannot hold `size` more
   * bytes; `SizeMismatchError` if the source yields a different count; `StorageFullError` if a
   * disk fills up. On any failure nothing stays visible and the reservation is released.
   */
  async put(input: PutObjectInput): Promise<{ cid: CID; size: number }> {
    const { account, size, source, signal, releaseInput } = input;
    assertAccount(account);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new InvalidStorageOptionError(
        `size ${size} is not a byte count.`,
        'Pass the exact length of the data as a non-negative integer.',
      );
    }
    signal?.throwIfAborted();
    const uploadId = this.#index.reserve(account, size, Date.now());
    const mine = new Map<string, CID>();
    try {
      const result = await this.#writeDag(uploadId, size, source, mine, signal, releaseInput);
      await this.#index.commit(uploadId, result, Date.now());
      return { cid: result.cid, size: result.size };
    } catch (error) {
      // A failed rollback leaves the upload pending; the next open finishes it.
      await this.#rollback(uploadId, mine).catch(() => {});
      if (isDiskFullError(error)) throw new StorageFullError(this.dataDir, { cause: error });
      throw error;
    } finally {
      for (const key of mine.keys()) this.#release(key);
    }
  }

  /**
   * Stores several objects whose bytes are in memory (small records, written many at a time),
   * all or nothing, with the guarantees of `put`: the quota of every account is checked for the
   * sum of its objects before any byte is written; then one transaction reserves them all, one
   * journals every block's intent, the blocks are written and synced on `minAcks` replicas, and
   * one transaction commits every object. Per object, `put` would cost two fsynced transactions,
   * a directory sync and a leaf pool. Returns the CIDs in order.
   */
  async putMany(
    inputs: { account: string; bytes: Uint8Array }[],
  ): Promise<{ cid: CID; size: number }[]> {
    for (const { account } of inputs) assertAccount(account);
    const uploadIds = this.#index.reserveMany(
      inputs.map(({ account, bytes }) => ({ account, size: bytes.length })),
      Date.now(),
    );
    const mine = uploadIds.map(() => new Map<string, CID>());
    try {
      const dags: UnixfsDagResult[] = [];
      const blocks: { block: DagBlock; key: string }[] = [];
      const queued = new Set<string>();
      const intents: { uploadId: number; cid: CID }[] = [];
      for (const [i, { bytes }] of inputs.entries()) {
        // One input buffer: whole leaves are views of it, and only its tail is copied, into a
        // buffer of the tail's size (not a whole leaf, per small object).
        const tail = bytes.length % this.#chunkSize;
        const dag = buildUnixfsDag([bytes], {
          chunkSize: this.#chunkSize,
          allocate: () => new Uint8Array(tail),
        });
        const own = mine[i] as Map<string, CID>;
        let step = await dag.next();
        for (; !step.done; step = await dag.next()) {
          const key = blockKey(step.value.cid);
          if (own.has(key)) continue;
          own.set(key, step.value.cid);
          this.#hold(key);
          intents.push({ uploadId: uploadIds[i] as number, cid: step.value.cid });
          // The same bytes in two objects of the batch: one write.
          if (!queued.has(key)) blocks.push({ block: step.value, key });
          queued.add(key);
        }
        dags.push(step.value);
      }
      // Intents first: if the process dies once a file exists, recovery knows to delete it.
      this.#index.addIntents(intents);
      const batch = this.#beginBlockBatch();
      let next = 0;
      const writeNext = async () => {
        while (next < blocks.length) {
          const { block, key } = blocks[next++] as { block: DagBlock; key: string };
          await this.#writeBlock(batch, block, key);
        }
      };
      const writers = Array.from(
        { length: Math.min(this.#writeConcurrency, blocks.length) },
        writeNext,
      );
      // Never sync (or roll back) under a write still running.
      const settled = await Promise.allSettled(writers);
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      await batch.finish();
      await this.#index.commitMany(
        dags.map((object, i) => ({ uploadId: uploadIds[i] as number, object })),
        Date.now(),
      );
      return dags.map(({ cid, size }) => ({ cid, size }));
    } catch (error) {
      for (const [i, uploadId] of uploadIds.entries()) {
        await this.#rollback(uploadId, mine[i] as Map<string, CID>).catch(() => {});
      }
      if (isDiskFullError(error)) throw new StorageFullError(this.dataDir, { cause: error });
      throw error;
    } finally {
      for (const own of mine) for (const key of own.keys()) this.#release(key);
    }
  }

  /** Streams a committed object's bytes; every block is verified and healed on read. */
  async *get(cid: CID | string): AsyncGenerator<Uint8Array, void, undefined> {
    const root = toCid(cid);
    if (!this.#index.hasObject(root)) throw new ObjectNotFoundError(root.toString());
    yield* readUnixfs(this.blockstore, root);
  }

  has(cid: CID | string): boolean {
    return this.#index.hasObject(toCid(cid));
  }

  stat(cid: CID | string): ObjectStat {
    const root = toCid(cid);
    const stat = this.#index.stat(root);
    if (!stat) throw new ObjectNotFoundError(root.toString());
    return stat;
  }

  list(account: string): ObjectInfo[] {
    assertAccount(account);
    return this.#index.list(account);
  }

  usage(account: string): Usage {
    assertAccount(account);
    return this.#index.usage(account);
  }

  /** Sets an account's quota (storage bought). A limit below current use blocks new puts only. */
  setLimit(account: string, bytes: number): void {
    assertAccount(account);
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new InvalidStorageOptionError(
        `limit ${bytes} is not a byte count.`,
        'Pass the quota in bytes as a non-negative integer.',
      );
    }
    this.#index.setLimit(account, bytes);
  }

  /**
   * Deletes an account's object, releasing its bytes; blocks no other object needs are deleted
   * from every replica. Throws `ObjectNotFoundError` if the account does not hold it.
   */
  async delete(account: string, cid: CID | string): Promise<void> {
    assertAccount(account);
    const root = toCid(cid);
    if (!this.#index.deleteObject(account, root)) throw new ObjectNotFoundError(root.toString());
    await this.#collectGarbage();
  }

  /**
   * Verifies every block of every replica, repairs what it can, and reports. Blocks the index
   * expects are checked even if no replica has a file for them, so lost blocks are reported.
   * A block file that no object needs and no upload is writing is garbage, not a loss: what
   * power loss leaves of an upload whose intent row never reached the disk (see the class
   * comment), whole or partial. It is deleted from every replica, never checked or copied, and
   * counted in `reclaimed`.
   */
  async scrub(): Promise<ScrubReport & { reclaimed: number }> {
    const garbage = new Map<string, CID>();
    const report = await this.blockstore.scrub({
      expected: this.#index.referencedBlocks(),
      skip: (key, cid) => {
        // Uploads write blocks in place: a file still being written is partial, not corrupt.
        if (this.#inflight.has(key)) return true;
        if (this.#index.isBlockReferenced(cid)) return false;
        garbage.set(key, cid);
        return true;
      },
    });
    const unrecoverable: CID[] = [];
    for (const cid of report.unrecoverable) {
      // Expected when the scrub began, but an object deleted since may have been its last user.
      if (this.#inUse(cid)) unrecoverable.push(cid);
      else await this.#deleteBlockFiles(cid);
    }
    let reclaimed = 0;
    for (const cid of garbage.values()) {
      // Asked again: an upload may have written and committed this very block since it was listed.
      if (this.#inUse(cid)) continue;
      await this.#deleteBlockFiles(cid);
      reclaimed++;
    }
    return { ...report, unrecoverable, reclaimed };
  }

  async #writeDag(
    uploadId: number,
    size: number,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    mine: Map<string, CID>,
    signal: AbortSignal | undefined,
    releaseInput: ((input: Uint8Array) => void) | undefined,
  ): Promise<UnixfsDagResult> {
    const batch = this.#beginBlockBatch();
    const writes = new Set<Promise<void>>();
    let failure: unknown;
    // Leaves in use at once: those being written, hashed ahead, and assembled (plus one spare).
    const pool = new BufferPool(this.#chunkSize, this.#writeConcurrency + HASH_AHEAD + 2, {
      shared: true,
    });
    const startWrite = async (block: DagBlock, key: string): Promise<void> => {
      try {
        await this.#writeBlock(batch, block, key);
      } finally {
        // Every replica's write has settled: nothing reads these bytes any more.
        pool.release(block.bytes);
      }
    };
    const dag = buildUnixfsDag(countBytes(source, size), {
      chunkSize: this.#chunkSize,
      allocate: pool.allocate,
      // Leaves are hashed on the hash worker, in place in the pool's shared memory, while this
      // thread encrypts the next ones (see sha256-worker.ts).
      hashAhead: HASH_AHEAD,
      digest: sha256Shared,
      ...(releaseInput && { releaseInput }),
    });
    // An abort must not wait for a stalled source (a client gone quiet): race each step with it.
    const abort = abortRejection(signal);
    const next = () => (abort ? Promise.race([dag.next(), abort.promise]) : dag.next());
    try {
      let step = await next();
      for (; !step.done; step = await next()) {
        signal?.throwIfAborted();
        const block = step.value;
        const key = blockKey(block.cid);
        if (mine.has(key)) {
          pool.release(block.bytes);
          continue;
        }
        // Intent first: if the process dies once the file exists, recovery knows to delete it.
        this.#index.addIntent(uploadId, block.cid);
        mine.set(key, block.cid);
        this.#hold(key);
        const write: Promise<void> = startWrite(block, key).then(
          () => {
            writes.delete(write);
          },
          (error: unknown) => {
            writes.delete(write);
            failure ??= error;
          },
        );
        writes.add(write);
        if (writes.size >= this.#writeConcurrency) await Promise.race(writes);
        if (failure !== undefined) throw failure;
      }
      // Never sync (or roll back) under a write still running.
      await Promise.all(writes);
      if (failure !== undefined) throw failure;
      signal?.throwIfAborted();
      await batch.finish();
      return step.value;
    } finally {
      // On failure: let running writes settle first, so rollback does not race them and leave
      // a file behind; and close the source. Writes start only here, so a source still stalled
      // after an abort cannot add any: its close is not awaited.
      abort?.dispose();
      await Promise.all(writes);
      const closing = dag.return(undefined as never).catch(() => {});
      if (!signal?.aborted) await closing;
    }
  }

  /**
   * A batch of block writes for an upload (put) or several (putMany). In place: every block is in
   * the intent log before its file exists, so a partial file left by a crash is deleted by
   * recovery like any other block of the upload.
   */
  #beginBlockBatch(): BlockBatch {
    return this.blockstore.beginBatch({
      sync: this.#durability === 'block' ? 'full' : 'data',
      inPlace: true,
    });
  }

  /** Writes a block of this upload, once no deletion of it runs, unless a committed object has it. */
  async #writeBlock(batch: BlockBatch, block: DagBlock, key: string): Promise<void> {
    await this.#deleting.get(key);
    // Already durable for a committed object: rewriting it could only make it worse.
    if (!this.#index.isBlockReferenced(block.cid)) await batch.write(block.cid, block.bytes);
  }

  async #rollback(uploadId: number, mine: Map<string, CID>): Promise<void> {
    // Our own writes are over: stop protecting our blocks before deciding which to delete.
    for (const key of mine.keys()) this.#release(key);
    mine.clear();
    const orphans = this.#index.abandon(uploadId);
    await Promise.all(orphans.map(({ cid }) => this.#deleteBlockFiles(cid)));
    this.#index.forgetUpload(uploadId);
  }

  async #collectGarbage(): Promise<void> {
    await Promise.all(
      this.#index.garbage().map(async ({ mh, cid }) => {
        await this.#deleteBlockFiles(cid);
        this.#index.forgetGarbage(mh);
      }),
    );
  }

  /** Deletes a block's files unless an upload in this process is writing the same block. */
  async #deleteBlockFiles(cid: CID): Promise<void> {
    const key = blockKey(cid);
    if (this.#inflight.has(key)) return;
    const previous = this.#deleting.get(key);
    const deletion = (async () => {
      await previous;
      await this.blockstore.delete(cid);
    })().finally(() => {
      if (this.#deleting.get(key) === deletion) this.#deleting.delete(key);
    });
    this.#deleting.set(key, deletion);
    await deletion;
  }

  /** Whether a committed object needs this block or an upload in this process is writing it. */
  #inUse(cid: CID): boolean {
    return this.#index.isBlockReferenced(cid) || this.#inflight.has(blockKey(cid));
  }

  /** An upload in this process writes this block: deletions of it wait (see #release). */
  #hold(key: string): void {
    this.#inflight.set(key, (this.#inflight.get(key) ?? 0) + 1);
  }

  #release(key: string): void {
    const count = this.#inflight.get(key);
    if (count === undefined) return;
    if (count <= 1) this.#inflight.delete(key);
    else this.#inflight.set(key, count - 1);
  }

  async #recover(): Promise<void> {
    await Promise.all(this.blockstore.replicas.map((r) => r.removeTempFiles()));
    for (const uploadId of this.#index.pendingUploads()) {
      await this.#rollback(uploadId, new Map());
    }
    await this.#collectGarbage();
  }
}

/** A promise that rejects with the signal's reason when it aborts (undefined without a signal). */
function abortRejection(
  signal: AbortSignal | undefined,
): { promise: Promise<never>; dispose(): void } | undefined {
  if (signal === undefined) return undefined;
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {}); // raced in #writeDag; never an unhandled rejection on its own
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** Passes the source through, failing as soon as it yields more than `size` bytes, or at its end if fewer. */
async function* countBytes(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > size) throw new SizeMismatchError(size, total);
    yield chunk;
  }
  if (total !== size) throw new SizeMismatchError(size, total);
}

function toCid(cid: CID | string): CID {
  return typeof cid === 'string' ? CID.parse(cid) : cid;
}

function assertAccount(account: string): void {
  if (typeof account !== 'string' || account.length === 0 || account.length > MAX_ACCOUNT_LENGTH) {
    throw new InvalidStorageOptionError(
      'The account identifier is empty or too long.',
      `Pass the account's address (1 to ${MAX_ACCOUNT_LENGTH} characters).`,
    );
  }
}
