import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { transaction } from './sqlite-transaction.ts';
import { type BackgroundCheckpoints, checkpointInBackground } from './wal-checkpointer.ts';
import { WalSync } from './wal-sync.ts';

/** The table's file in a replica directory (with SQLite's -wal and -shm beside it). */
export const SMALL_BLOCK_FILE = 'small-blocks.sqlite';

/**
 * Blocks up to this size are rows of the replica's table rather than files of their own. A file
 * per small block costs an inode, a create, a write and a directory fsync on each replica: with
 * one FHIR resource per record, that was half of a node's CPU per imported record (1.15 of
 * 2.3 ms), most of it in the kernel. As rows, a batch of them is one transaction and one WAL
 * fsync per replica. Below ~100 KB SQLite reads and writes blobs faster than the file system
 * does (sqlite.org, "Internal Versus External BLOBs"); object leaves (1 MiB) stay files.
 */
export const SMALL_BLOCK_MAX = 64 * 1024;

/**
 * One replica's small blocks, keyed by multihash, in a SQLite file of the replica's own (so that
 * a replica on another disk holds its blocks whole).
 *
 * Writes that need not be durable yet (an object's blocks, made durable together before its
 * commit) are staged in memory and readable at once; `flush` writes every staged block in one
 * transaction. Nothing holds a transaction open across an await.
 *
 * Durability: WAL with synchronous = NORMAL, and `flush` resolves once the WAL is synced after
 * its commit (WalSync), off the event loop: both replicas' tables of a batch sync side by side
 * while the node goes on. Rows are readable between the commit and the sync, which is harmless
 * here: a block is content-addressed and verified on every read, and nothing needs it until the
 * object that holds it commits, after the flush. A `delete` is not synced of its own: power loss
 * can bring back a block that no object needs, which scrub reclaims.
 */
export class SmallBlockTable {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #select: StatementSync;
  readonly #exists: StatementSync;
  readonly #remove: StatementSync;
  readonly #keys: StatementSync;
  /** Blocks written but not yet flushed, by multihash (hex). */
  readonly #staged = new Map<string, { multihash: Uint8Array; bytes: Uint8Array }>();
  /** Checkpoints on the worker thread, not inside a batch's commit (see wal-checkpointer.ts). */
  readonly #checkpoints: BackgroundCheckpoints;
  readonly #walSync: WalSync;

  constructor(file: string) {
    this.#walSync = new WalSync(file);
    this.#db = new DatabaseSync(file);
    try {
      this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      // A rowid table (blobs of kilobytes are too large for WITHOUT ROWID's b-tree), with the
      // multihash's unique index.
      this.#db.exec(
        'CREATE TABLE IF NOT EXISTS blocks (multihash BLOB NOT NULL PRIMARY KEY, bytes BLOB NOT NULL) STRICT',
      );
      this.#insert = this.#db.prepare(
        'INSERT INTO blocks (multihash, bytes) VALUES (?, ?) ON CONFLICT (multihash) DO UPDATE SET bytes = excluded.bytes',
      );
      this.#select = this.#db.prepare('SELECT bytes FROM blocks WHERE multihash = ?');
      this.#exists = this.#db.prepare('SELECT 1 FROM blocks WHERE multihash = ?');
      this.#remove = this.#db.prepare('DELETE FROM blocks WHERE multihash = ?');
      this.#keys = this.#db.prepare('SELECT multihash FROM blocks');
      this.#checkpoints = checkpointInBackground(this.#db, file);
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  /**
   * Stores a block, readable at once, durable after the next `flush`. The bytes are copied: a
   * caller may hand over a view of a buffer it reuses (a pooled leaf) before the flush.
   */
  stage(multihash: Uint8Array, bytes: Uint8Array): void {
    this.#staged.set(hexOf(multihash), { multihash: multihash.slice(), bytes: bytes.slice() });
  }

  /** Stores a block durably (and whatever is staged, in the same transaction). */
  async write(multihash: Uint8Array, bytes: Uint8Array): Promise<void> {
    this.stage(multihash, bytes);
    await this.flush();
  }

  /**
   * Writes every staged block in one transaction and resolves once it is on disk. With nothing
   * staged it still waits for the latest commit's sync: another caller's flush may have committed
   * this caller's staged blocks (staging is shared) and not yet synced them.
   */
  async flush(): Promise<void> {
    if (this.#staged.size > 0) {
      transaction(this.#db, () => {
        for (const { multihash, bytes } of this.#staged.values()) {
          this.#insert.run(multihash, bytes);
        }
      });
      this.#staged.clear();
      await this.#walSync.afterCommit();
    } else {
      await this.#walSync.latest();
    }
  }

  /** The block's bytes as stored (unverified), or undefined; the caller's own copy. */
  read(multihash: Uint8Array): Uint8Array | undefined {
    const staged = this.#staged.get(hexOf(multihash));
    if (staged !== undefined) return staged.bytes.slice();
    const row = this.#select.get(multihash) as { bytes: Uint8Array } | undefined;
    return row?.bytes;
  }

  has(multihash: Uint8Array): boolean {
    return this.#staged.has(hexOf(multihash)) || this.#exists.get(multihash) !== undefined;
  }

  /** Removes a block (staged or stored); true if there was one. Not synced (see the class). */
  delete(multihash: Uint8Array): boolean {
    const staged = this.#staged.delete(hexOf(multihash));
    return Number(this.#remove.run(multihash).changes) > 0 || staged;
  }

  /**
   * The multihash of every block, staged ones included: read whole, so that the caller may write
   * and delete while it walks them (34 bytes a block).
   */
  multihashes(): Uint8Array[] {
    const stored = (this.#keys.all() as { multihash: Uint8Array }[]).map((row) => row.multihash);
    const seen = new Set(stored.map(hexOf));
    for (const [hex, { multihash }] of this.#staged) if (!seen.has(hex)) stored.push(multihash);
    return stored;
  }

  /** Flushes what is staged, then closes the file (after the checkpoint worker's connection). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.#checkpoints.release();
      await this.#walSync.close();
      this.#db.close();
    }
  }
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
