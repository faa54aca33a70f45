import path from 'node:path';
import type { Blockstore, InputPair, Pair } from 'interface-blockstore';
import type { CID } from 'multiformats/cid';
import { blockMatchesCid, digestMatchesCid, SHA2_256 } from './block-hash.ts';
import { blockKey } from './block-path.ts';
import { collectBytes, once } from './bytes.ts';
import {
  BlockNotFoundError,
  CorruptBlockError,
  InvalidStorageOptionError,
  isDiskFullError,
  ReplicaWriteError,
  StorageFullError,
  UnrecoverableBlockError,
  UnsupportedHashError,
} from './errors.ts';
import {
  type AbortOptions,
  type BlockWriteOptions,
  FsBlockstore,
  type WrittenBlock,
} from './fs-blockstore.ts';
import { parallelMap } from './parallel-map.ts';

/** What a replica must offer; `FsBlockstore` does. */
export type BlockReplica = Pick<
  FsBlockstore,
  | 'path'
  | 'open'
  | 'close'
  | 'writeVerifiedBlock'
  | 'syncBlocks'
  | 'readUnverified'
  | 'has'
  | 'delete'
  | 'listBlocks'
  | 'removeTempFiles'
> &
  Partial<Pick<FsBlockstore, 'readHashed'>>;

export type ReplicaFailure = {
  /** Index of the replica in the list given to the constructor. */
  replica: number;
  operation: 'put' | 'sync' | 'read' | 'repair' | 'delete';
  cid: CID | undefined;
  error: unknown;
};

export type ReplicatedBlockstoreOptions = {
  /**
   * Replicas that must hold a block, fsynced, before a write resolves. Default: all of them.
   * `put` resolves on the first `minAcks`; a `BlockBatch` (the object writer) writes to every
   * replica and fails only once fewer than `minAcks` of them hold every block of the batch.
   */
  minAcks?: number;
  /**
   * Called for each replica failure that did not fail the operation (a write with enough acks, a
   * read or repair healed from another replica). Default: a process warning, so nothing is silent.
   */
  onReplicaFailure?: (failure: ReplicaFailure) => void;
};

export type ScrubReport = {
  /**
   * Distinct blocks verified: every block found in at least one replica, plus every CID in
   * `expected`, counted once however many replicas hold it. Each is read and re-hashed on every
   * replica.
   */
  checked: number;
  /** Block copies rewritten from a good copy: a block fixed on two replicas counts two. */
  repaired: number;
  /** Blocks with no good copy in any replica (missing everywhere or corrupt everywhere). */
  unrecoverable: CID[];
};

const SCRUB_CONCURRENCY = 4;

/** The default layout of an embedded node: a primary directory and a backup directory. */
export const DEFAULT_REPLICA_DIRECTORIES = ['blocks-primary', 'blocks-backup'] as const;

/**
 * A blockstore that writes every block to all replicas and heals on read.
 *
 * - `put` resolves once `minAcks` replicas hold the block durably; failures of the others go to
 *   `onReplicaFailure`. Too few acks → `ReplicaWriteError` (or `StorageFullError` if a full disk
 *   is why).
 * - `get` re-hashes what it reads. A corrupt or missing copy is replaced from the next replica
 *   with a good one, and rewritten (durably) on each replica that was bad, before `get` returns.
 * - `scrub` does the same for every block.
 */
export class ReplicatedBlockstore implements Blockstore {
  readonly replicas: readonly BlockReplica[];
  readonly minAcks: number;
  readonly #onFailure: (failure: ReplicaFailure) => void;
  readonly #background = new Set<Promise<unknown>>();

  constructor(replicas: readonly BlockReplica[], options: ReplicatedBlockstoreOptions = {}) {
    const minAcks = options.minAcks ?? replicas.length;
    if (
      replicas.length === 0 ||
      !Number.isInteger(minAcks) ||
      minAcks < 1 ||
      minAcks > replicas.length
    ) {
      throw new InvalidStorageOptionError(
        `minAcks ${minAcks} is invalid for ${replicas.length} replica(s).`,
        'Give at least one replica and a minAcks between 1 and the number of replicas.',
      );
    }
    this.replicas = replicas;
    this.minAcks = minAcks;
    this.#onFailure = options.onReplicaFailure ?? warnReplicaFailure(replicas);
  }

  /**
   * Replicas in sub-directories of `dataDir`: by default a primary and a backup
   * (`DEFAULT_REPLICA_DIRECTORIES`); `factor` > 2 adds `blocks-replica-3`, ….
   */
  static inDirectory(
    dataDir: string,
    options: ReplicatedBlockstoreOptions & { factor?: number } = {},
  ): ReplicatedBlockstore {
    const factor = options.factor ?? DEFAULT_REPLICA_DIRECTORIES.length;
    const names = Array.from(
      { length: factor },
      (_, i) => DEFAULT_REPLICA_DIRECTORIES[i] ?? `blocks-replica-${i + 1}`,
    );
    return new ReplicatedBlockstore(
      names.map((name) => new FsBlockstore(path.join(dataDir, name))),
      options,
    );
  }

  async open(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.open()));
  }

  /** Waits for writes still running on replicas beyond `minAcks`, then closes. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#background]);
    await Promise.all(this.replicas.map((r) => r.close()));
  }

  async put(
    cid: CID,
    bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options: BlockWriteOptions = {},
  ): Promise<CID> {
    options.signal?.throwIfAborted();
    const block = await collectBytes(bytes);
    if (!blockMatchesCid(cid, block))
      throw new CorruptBlockError(cid.toString(), 'the input to put');
    // Always fully durable: a lone put has no later batch to make it so.
    await this.#write(cid, block, { ...options, sync: 'full' });
    return cid;
  }

  /**
   * Starts a batch of block writes that becomes durable as a whole (the object writer's path):
   * see `BlockBatch`. With `sync: 'data'` (default) blocks are written to every replica with the
   * file data fsynced, and `finish` fsyncs their directory entries, once per shard directory
   * instead of once per block; with `'full'` each block is wholly durable as it is written.
   * `inPlace` writes each block straight into its final name (see `BlockWriteOptions.inPlace`):
   * only for a caller whose intent log lets it delete the blocks of a batch that never finished.
   */
  beginBatch(options: { sync?: 'full' | 'data'; inPlace?: boolean } = {}): BlockBatch {
    return new BlockBatch(this, this.#onFailure, options.sync ?? 'data', options.inPlace ?? false);
  }

  async *get(cid: CID, options: AbortOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    options.signal?.throwIfAborted();
    yield await this.getBlock(cid);
  }

  /** The whole block, verified; healed from another replica if this one's copy is bad. */
  async getBlock(cid: CID): Promise<Uint8Array> {
    assertSupportedHash(cid);
    const bad: number[] = [];
    let sawCorrupt = false;
    let readError: unknown;
    for (const [index, replica] of this.replicas.entries()) {
      let bytes: Uint8Array | undefined;
      let matches: boolean;
      try {
        if (replica.readHashed) {
          const read = await replica.readHashed(cid);
          bytes = read?.bytes;
          matches = read !== undefined && digestMatchesCid(cid, read.digest);
        } else {
          bytes = await replica.readUnverified(cid);
          matches = bytes !== undefined && blockMatchesCid(cid, bytes);
        }
      } catch (error) {
        readError ??= error;
        this.#onFailure({ replica: index, operation: 'read', cid, error });
        continue;
      }
      if (bytes === undefined) {
        bad.push(index);
      } else if (!matches) {
        sawCorrupt = true;
        bad.push(index);
      } else {
        if (bad.length > 0) await this.#repair(cid, bytes, bad);
        return bytes;
      }
    }
    // Absent everywhere it could be read is "not found"; a bad or unreadable copy means the block
    // existed and is lost.
    throw sawCorrupt || readError !== undefined
      ? new UnrecoverableBlockError(cid.toString(), { cause: readError })
      : new BlockNotFoundError(cid.toString());
  }

  /** True if any replica has a file for the block (a bad copy is healed on the next get). */
  async has(cid: CID, options: AbortOptions = {}): Promise<boolean> {
    for (const replica of this.replicas) if (await replica.has(cid, options)) return true;
    return false;
  }

  /** Deletes the block from every replica; throws only if every replica failed. */
  async delete(cid: CID, options: AbortOptions = {}): Promise<void> {
    const results = await Promise.allSettled(this.replicas.map((r) => r.delete(cid, options)));
    const failures = results.flatMap((r, replica) =>
      r.status === 'rejected' ? [{ replica, error: r.reason as unknown }] : [],
    );
    if (failures.length === results.length) throw failures[0]?.error;
    for (const f of failures) this.#onFailure({ ...f, operation: 'delete', cid });
  }

  async *putMany(
    source: Iterable<InputPair> | AsyncIterable<InputPair>,
    options: BlockWriteOptions = {},
  ): AsyncGenerator<CID, void, undefined> {
    yield* parallelMap(source, 8, ({ cid, bytes }) => this.put(cid, bytes, options));
  }

  async *getMany(
    source: Iterable<CID> | AsyncIterable<CID>,
    options: AbortOptions = {},
  ): AsyncGenerator<Pair, void, undefined> {
    yield* parallelMap(source, 8, async (cid) => {
      options.signal?.throwIfAborted();
      return { cid, bytes: once(await this.getBlock(cid)) };
    });
  }

  async *deleteMany(
    source: Iterable<CID> | AsyncIterable<CID>,
    options: AbortOptions = {},
  ): AsyncGenerator<CID, void, undefined> {
    yield* parallelMap(source, 8, async (cid) => {
      await this.delete(cid, options);
      return cid;
    });
  }

  /** Every block of every replica once, verified and healed (raw CIDv1 keys, see FsBlockstore). */
  async *getAll(options: AbortOptions = {}): AsyncGenerator<Pair, void, undefined> {
    const seen = new Set<string>();
    for (const replica of this.replicas) {
      for await (const cid of replica.listBlocks()) {
        options.signal?.throwIfAborted();
        const key = blockKey(cid);
        if (seen.has(key)) continue;
        seen.add(key);
        yield { cid, bytes: once(await this.getBlock(cid)) };
      }
    }
  }

  /**
   * Verifies every copy of every block, rewrites bad or missing copies from a good one, and
   * reports what it found (see `ScrubReport`). Blocks lost from every replica leave no file to
   * find: pass the CIDs you expect (the object index does) to have them reported too. Files whose
   * block `skip` accepts (and that are not expected) are left out: blocks being written in
   * place, which are partial until their upload finishes, or that the caller deletes instead.
   * Memory: one entry per distinct block.
   */
  async scrub(
    options: { expected?: Iterable<CID>; skip?: (key: string, cid: CID) => boolean } = {},
  ): Promise<ScrubReport> {
    const blocks = new Map<string, CID>();
    for (const cid of options.expected ?? []) blocks.set(blockKey(cid), cid);
    for (const replica of this.replicas) {
      for await (const cid of replica.listBlocks()) {
        const key = blockKey(cid);
        if (!blocks.has(key) && !options.skip?.(key, cid)) blocks.set(key, cid);
      }
    }
    const report: ScrubReport = { checked: 0, repaired: 0, unrecoverable: [] };
    for await (const outcome of parallelMap(blocks.values(), SCRUB_CONCURRENCY, (cid) =>
      this.#scrubBlock(cid),
    )) {
      report.checked++;
      report.repaired += outcome.repaired;
      if (outcome.unrecoverable) report.unrecoverable.push(outcome.unrecoverable);
    }
    return report;
  }

  async #scrubBlock(cid: CID): Promise<{ repaired: number; unrecoverable?: CID }> {
    if (cid.multihash.code !== SHA2_256) return { repaired: 0, unrecoverable: cid };
    const bad: number[] = [];
    let good: Uint8Array | undefined;
    for (const [index, replica] of this.replicas.entries()) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = await replica.readUnverified(cid);
      } catch (error) {
        this.#onFailure({ replica: index, operation: 'read', cid, error });
        continue;
      }
      if (bytes !== undefined && blockMatchesCid(cid, bytes)) good ??= bytes;
      else bad.push(index);
    }
    if (good === undefined) return { repaired: 0, unrecoverable: cid };
    return { repaired: bad.length === 0 ? 0 : await this.#repair(cid, good, bad) };
  }

  /** Rewrites a verified block on the given replicas; returns how many rewrites succeeded. */
  async #repair(cid: CID, good: Uint8Array, replicas: readonly number[]): Promise<number> {
    const results = await Promise.allSettled(
      replicas.map((i) => this.replicas[i]?.writeVerifiedBlock(cid, good, { sync: 'full' })),
    );
    let repaired = 0;
    for (const [n, result] of results.entries()) {
      if (result.status === 'fulfilled') repaired++;
      else
        this.#onFailure({
          replica: replicas[n] ?? -1,
          operation: 'repair',
          cid,
          error: result.reason,
        });
    }
    return repaired;
  }

  /**
   * Starts the write on every replica and resolves as soon as `minAcks` of them succeeded; the
   * others finish in the background (`close` waits for them) and their failures are reported, not
   * thrown. If `minAcks` is not reached, rejects once every write has settled (so the error counts
   * the acks truly made, and nothing is still writing when the caller sees it).
   */
  #write(cid: CID, block: Uint8Array, options: BlockWriteOptions): Promise<void> {
    let acks = 0;
    let resolveEarly = () => {};
    const early = new Promise<void>((resolve) => (resolveEarly = resolve));
    const writes = this.replicas.map((r) =>
      r.writeVerifiedBlock(cid, block, options).then(() => {
        if (++acks === this.minAcks) resolveEarly();
      }),
    );
    const all = Promise.allSettled(writes).then((results) => {
      this.#background.delete(all);
      const failures = results.flatMap((r, replica) =>
        r.status === 'rejected' ? [{ replica, error: r.reason as unknown }] : [],
      );
      if (acks < this.minAcks) {
        throw tooFewAcks(
          cid,
          acks,
          this.minAcks,
          failures.map((f) => f.error),
        );
      }
      // The write succeeded on enough replicas: the others' failures are reported, not thrown.
      for (const f of failures) this.#onFailure({ ...f, operation: 'put', cid });
    });
    this.#background.add(all);
    // Whichever comes first: enough acks, or everything settled (with enough acks or an error).
    return Promise.race([early, all]);
  }
}

/**
 * Writes of many blocks that must all end up durable on at least `minAcks` replicas.
 *
 * A replica that fails any write or sync of the batch is dropped from it (and reported): the
 * batch counts only replicas that hold every one of its blocks, fsynced, so "acknowledged by
 * minAcks replicas" holds per block and for the whole object. As soon as fewer than `minAcks`
 * replicas remain, `write` or `finish` throws (`ReplicaWriteError`, or `StorageFullError` for a
 * full disk). Blocks a dropped replica lacks are healed by reads and scrub later.
 */
export class BlockBatch {
  readonly #store: ReplicatedBlockstore;
  readonly #onFailure: (failure: ReplicaFailure) => void;
  /** Indexes of the replicas still in the batch. */
  readonly #live: Set<number>;
  readonly #errors: unknown[] = [];
  readonly #written: WrittenBlock[] = [];
  readonly #sync: 'full' | 'data';
  readonly #inPlace: boolean;

  constructor(
    store: ReplicatedBlockstore,
    onFailure: (failure: ReplicaFailure) => void,
    sync: 'full' | 'data',
    inPlace: boolean,
  ) {
    this.#store = store;
    this.#onFailure = onFailure;
    this.#sync = sync;
    this.#inPlace = inPlace;
    this.#live = new Set(store.replicas.keys());
  }

  /** Writes a block the caller has just hashed to `cid` to every replica still in the batch. */
  async write(cid: CID, block: Uint8Array): Promise<void> {
    this.#assertEnough(cid);
    if (this.#sync === 'data') this.#written.push({ cid, size: block.length });
    const targets = [...this.#live];
    const sync = this.#sync;
    const results = await Promise.allSettled(
      targets.map((i) =>
        this.#replica(i).writeVerifiedBlock(cid, block, { sync, inPlace: this.#inPlace }),
      ),
    );
    this.#drop(targets, results, 'put', cid);
  }

  /** Makes every block written so far durable on the replicas still in the batch. */
  async finish(): Promise<void> {
    this.#assertEnough(undefined);
    if (this.#written.length === 0) return;
    const targets = [...this.#live];
    const results = await Promise.allSettled(
      targets.map((i) => this.#replica(i).syncBlocks(this.#written, { directoriesOnly: true })),
    );
    this.#drop(targets, results, 'sync', undefined);
  }

  /** How many replicas hold every block of the batch (so far). */
  get acks(): number {
    return this.#live.size;
  }

  #replica(index: number): BlockReplica {
    return this.#store.replicas[index] as BlockReplica;
  }

  #drop(
    targets: number[],
    results: PromiseSettledResult<unknown>[],
    operation: 'put' | 'sync',
    cid: CID | undefined,
  ): void {
    const failures: ReplicaFailure[] = [];
    for (const [n, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      const replica = targets[n] as number;
      this.#live.delete(replica);
      this.#errors.push(result.reason);
      failures.push({ replica, operation, cid, error: result.reason });
    }
    this.#assertEnough(cid);
    // Enough replicas are left: the failures did not fail the batch, so they are reported.
    for (const failure of failures) this.#onFailure(failure);
  }

  #assertEnough(cid: CID | undefined): void {
    if (this.#live.size < this.#store.minAcks) {
      throw tooFewAcks(cid, this.#live.size, this.#store.minAcks, this.#errors);
    }
  }
}

function tooFewAcks(cid: CID | undefined, acks: number, minAcks: number, errors: unknown[]): Error {
  // A full disk is the one cause an operator can act on directly: surface it as such, whether the
  // replica already said so or passed the raw ENOSPC up.
  const full = errors.find((e) => e instanceof StorageFullError || isDiskFullError(e));
  if (full instanceof StorageFullError) return full;
  if (full !== undefined) return new StorageFullError('a replica', { cause: full });
  return new ReplicaWriteError(cid?.toString() ?? '(object sync)', acks, minAcks, errors);
}

function assertSupportedHash(cid: CID): void {
  if (cid.multihash.code !== SHA2_256) {
    throw new UnsupportedHashError(cid.toString(), cid.multihash.code);
  }
}

function warnReplicaFailure(replicas: readonly BlockReplica[]) {
  return (failure: ReplicaFailure): void => {
    const where = replicas[failure.replica]?.path ?? 'a replica';
    const what = failure.cid ? ` of block ${failure.cid}` : '';
    const why = failure.error instanceof Error ? failure.error.message : String(failure.error);
    process.emitWarning(`${failure.operation}${what} failed on ${where}: ${why}`, {
      code: 'AEGLE_REPLICA_FAILURE',
    });
  };
}
