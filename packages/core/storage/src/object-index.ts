import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CID } from 'multiformats/cid';
import { QuotaExceededError, StoreInUseError } from './errors.ts';
import { transaction } from './sqlite-transaction.ts';
import { type BackgroundCheckpoints, checkpointInBackground } from './wal-checkpointer.ts';
import { WalSync, withoutFsync } from './wal-sync.ts';

/** Bytes every account may store before buying more: 1 GiB. */
export const DEFAULT_FREE_QUOTA = 1024 ** 3;

export type Usage = { used: number; reserved: number; limit: number };
export type ObjectInfo = { cid: CID; size: number; createdAt: Date };
export type ObjectStat = { cid: CID; size: number; dagSize: number; blockCount: number };
/** A block no committed object references any more, waiting for its files to be deleted. */
export type GarbageBlock = { mh: Uint8Array; cid: CID };

/*
 * The durable half of the ObjectStore: who owns what, which blocks each root needs, how many
 * roots need each block, and what is in flight. All of it lives in one SQLite file, so an object
 * becomes visible, and its quota moves from reserved to used, in one transaction.
 *
 * Tables:
 *   accounts      quota per account: used (committed bytes), reserved (uploads in progress), limit
 *   uploads       one row per upload in progress, holding its reservation
 *   upload_blocks every block an upload is about to write, recorded *before* the write: the
 *                 intent log crash recovery uses to delete a dead upload's blocks
 *   objects       (account, root) once committed; two accounts may hold the same root
 *   roots         per distinct root: sizes, and how many accounts hold it (`holders`, counted
 *                 here rather than in an index of objects by root, which cost every object a
 *                 random-key insert); rows live while any object row points at it
 *   root_blocks   the distinct blocks of each root but the root's own block, which is implied
 *                 (keyed by the root's CID): a single-block object, as every small record is, needs
 *                 no row, and each row is a random-key insert into a page of its own
 *   blocks        per distinct block: how many roots need it (refs > 0 ⇔ it must be kept)
 *   garbage       blocks whose last root went away, until their files are deleted
 * Blocks are keyed by multihash bytes, like the files on disk (see block-path.ts).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  account TEXT PRIMARY KEY, quota_limit INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE IF NOT EXISTS uploads (
  id INTEGER PRIMARY KEY, account TEXT NOT NULL, size INTEGER NOT NULL,
  started_at INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS upload_blocks (
  upload_id INTEGER NOT NULL, mh BLOB NOT NULL, cid TEXT NOT NULL,
  PRIMARY KEY (upload_id, mh)) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects (
  account TEXT NOT NULL, cid TEXT NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (account, cid)) STRICT;
CREATE TABLE IF NOT EXISTS roots (
  cid TEXT PRIMARY KEY, size INTEGER NOT NULL, dag_size INTEGER NOT NULL,
  block_count INTEGER NOT NULL, holders INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE IF NOT EXISTS root_blocks (
  root TEXT NOT NULL, mh BLOB NOT NULL, PRIMARY KEY (root, mh)) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blocks (
  mh BLOB PRIMARY KEY, cid TEXT NOT NULL, refs INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS garbage (mh BLOB PRIMARY KEY, cid TEXT NOT NULL) STRICT, WITHOUT ROWID;
`;

type Row = Record<string, unknown>;

function prepareStatements(db: DatabaseSync) {
  const p = (sql: string) => db.prepare(sql);
  return {
    account: p('SELECT used, reserved, quota_limit FROM accounts WHERE account = ?'),
    addAccount: p('INSERT OR IGNORE INTO accounts (account, quota_limit) VALUES (?, ?)'),
    setLimit: p('UPDATE accounts SET quota_limit = ? WHERE account = ?'),
    reserve: p('UPDATE accounts SET reserved = reserved + ? WHERE account = ?'),
    addUsed: p('UPDATE accounts SET used = used + ? WHERE account = ?'),
    addUpload: p('INSERT INTO uploads (account, size, started_at) VALUES (?, ?, ?)'),
    upload: p('SELECT account, size FROM uploads WHERE id = ?'),
    uploads: p('SELECT id FROM uploads UNION SELECT DISTINCT upload_id FROM upload_blocks'),
    dropUpload: p('DELETE FROM uploads WHERE id = ?'),
    addIntent: p('INSERT OR IGNORE INTO upload_blocks (upload_id, mh, cid) VALUES (?, ?, ?)'),
    intents: p('SELECT mh, cid FROM upload_blocks WHERE upload_id = ?'),
    dropIntents: p('DELETE FROM upload_blocks WHERE upload_id = ?'),
    blockRefs: p('SELECT refs FROM blocks WHERE mh = ?'),
    object: p('SELECT size FROM objects WHERE account = ? AND cid = ?'),
    addObject: p('INSERT INTO objects (account, cid, size, created_at) VALUES (?, ?, ?, ?)'),
    dropObject: p('DELETE FROM objects WHERE account = ? AND cid = ?'),
    objectsOf: p(
      'SELECT cid, size, created_at FROM objects WHERE account = ? ORDER BY created_at, cid',
    ),
    holders: p('SELECT holders FROM roots WHERE cid = ?'),
    addHolders: p('UPDATE roots SET holders = holders + ? WHERE cid = ?'),
    root: p('SELECT size, dag_size, block_count FROM roots WHERE cid = ?'),
    addRoot: p('INSERT INTO roots (cid, size, dag_size, block_count) VALUES (?, ?, ?, ?)'),
    dropRoot: p('DELETE FROM roots WHERE cid = ?'),
    addRootBlocks: p(
      'INSERT OR IGNORE INTO root_blocks (root, mh) SELECT ?1, mh FROM upload_blocks WHERE upload_id = ?2 AND mh != ?3',
    ),
    refIntents:
      p(`INSERT INTO blocks (mh, cid, refs) SELECT mh, cid, 1 FROM upload_blocks WHERE upload_id = ?
                   ON CONFLICT (mh) DO UPDATE SET refs = refs + 1`),
    unGarbageIntents: p(
      'DELETE FROM garbage WHERE mh IN (SELECT mh FROM upload_blocks WHERE upload_id = ?)',
    ),
    // The root's own block with the rest (an index written before it was implied lists it too:
    // IN takes each block once).
    unrefRoot: p(
      'UPDATE blocks SET refs = refs - 1 WHERE mh IN (SELECT mh FROM root_blocks WHERE root = ?1 UNION SELECT ?2)',
    ),
    collectZero: p(
      'INSERT OR IGNORE INTO garbage (mh, cid) SELECT mh, cid FROM blocks WHERE refs <= 0',
    ),
    dropZero: p('DELETE FROM blocks WHERE refs <= 0'),
    dropRootBlocks: p('DELETE FROM root_blocks WHERE root = ?'),
    garbage: p('SELECT mh, cid FROM garbage'),
    dropGarbage: p('DELETE FROM garbage WHERE mh = ?'),
    allBlocks: p('SELECT cid FROM blocks'),
  };
}

/** Beside the index: the file whose lock says which process owns the data directory. */
export const OWNER_LOCK_FILE = 'owner-lock.sqlite';

export class ObjectIndex {
  readonly #db: DatabaseSync;
  /** Held open, exclusively locked, while this process owns the data directory. */
  readonly #owner: DatabaseSync;
  /** Checkpoints on the worker thread, not inside a commit (see wal-checkpointer.ts). */
  readonly #checkpoints: BackgroundCheckpoints;
  /** Syncs commitMany's commits (see there). */
  readonly #walSync: WalSync;
  readonly #defaultLimit: number;
  readonly #sql: ReturnType<typeof prepareStatements>;

  constructor(file: string, options: { defaultLimit?: number; dir?: string } = {}) {
    this.#defaultLimit = options.defaultLimit ?? DEFAULT_FREE_QUOTA;
    const dir = options.dir ?? path.dirname(file);
    // Ownership: an EXCLUSIVE lock on a file of its own, taken at once and held until this index
    // closes or the process dies (the OS releases it), so no second process can roll back our
    // uploads in flight. Not on the index itself: a second connection (the checkpoint worker)
    // must be able to open that.
    this.#owner = new DatabaseSync(path.join(dir, OWNER_LOCK_FILE));
    try {
      // Nothing is ever written to it: its journal (none on disk) would hold nothing.
      this.#owner.exec(
        'PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY;',
      );
      this.#owner.exec('BEGIN EXCLUSIVE; COMMIT;');
    } catch (error) {
      this.#owner.close();
      if (isSqliteBusy(error)) throw new StoreInUseError(dir);
      throw error;
    }
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(file);
      // FULL: a commit is fsynced before it returns, so an acknowledged object survives power loss
      // (commitMany commits with NORMAL and syncs the WAL itself, to the same end, see there).
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
      db.exec(SCHEMA);
      countHolders(db);
      this.#sql = prepareStatements(db);
    } catch (error) {
      db?.close();
      this.#owner.close();
      throw error;
    }
    this.#db = db;
    this.#checkpoints = checkpointInBackground(db, file);
    this.#walSync = new WalSync(file);
  }

  /** Closes the index (after the checkpoint worker's connection), then gives up ownership. */
  async close(): Promise<void> {
    try {
      await this.#checkpoints.release();
      await this.#walSync.close();
      this.#db.close();
    } finally {
      this.#owner.close();
    }
  }

  usage(account: string): Usage {
    const row = this.#sql.account.get(account) as Row | undefined;
    if (!row) return { used: 0, reserved: 0, limit: this.#defaultLimit };
    return {
      used: Number(row.used),
      reserved: Number(row.reserved),
      limit: Number(row.quota_limit),
    };
  }

  setLimit(account: string, limit: number): void {
    transaction(this.#db, () => {
      this.#sql.addAccount.run(account, this.#defaultLimit);
      this.#sql.setLimit.run(limit, account);
    });
  }

  /**
   * Checks the quota and reserves `size` bytes for a new upload, in one transaction, so two
   * concurrent uploads cannot both fit into the same free space. Returns the upload id.
   */
  reserve(account: string, size: number, now: number): number {
    return this.reserveMany([{ account, size }], now)[0] as number;
  }

  /**
   * Reserves space for several uploads in one transaction: all or none, each account's quota
   * checked against the sum of its uploads. Returns the upload ids, in order. Not fsynced, as
   * intents are not (see addIntent): a reservation a power cut drops belonged to an upload that
   * was not committed, which recovery would roll back anyway; the commit fsyncs the WAL.
   */
  reserveMany(uploads: { account: string; size: number }[], now: number): number[] {
    return withoutFsync(this.#db, () => this.#reserveOrThrow(uploads, now));
  }

  #reserveOrThrow(uploads: { account: string; size: number }[], now: number): number[] {
    return transaction(this.#db, () =>
      uploads.map(({ account, size }) => {
        this.#sql.addAccount.run(account, this.#defaultLimit);
        const { used, reserved, limit } = this.usage(account);
        if (used + reserved + size > limit) {
          throw new QuotaExceededError({ used, reserved, limit, requested: size });
        }
        this.#sql.reserve.run(size, account);
        return Number(this.#sql.addUpload.run(account, size, now).lastInsertRowid);
      }),
    );
  }

  /**
   * Records that an upload is about to write a block. Committed without fsync (synchronous =
   * NORMAL, still in the WAL, so it survives a process crash; the object commit later fsyncs the
   * WAL): a block per write would otherwise cost an fsync each.
   */
  addIntent(uploadId: number, cid: CID): void {
    withoutFsync(this.#db, () =>
      this.#sql.addIntent.run(uploadId, cid.multihash.bytes, cid.toString()),
    );
  }

  /** Records the blocks several uploads are about to write, as `addIntent` does one, together. */
  addIntents(intents: { uploadId: number; cid: CID }[]): void {
    withoutFsync(this.#db, () =>
      transaction(this.#db, () => {
        for (const { uploadId, cid } of intents) {
          this.#sql.addIntent.run(uploadId, cid.multihash.bytes, cid.toString());
        }
      }),
    );
  }

  /** True if committed objects need this block (so it is on disk, and need not be rewritten). */
  isBlockReferenced(cid: CID): boolean {
    const row = this.#sql.blockRefs.get(cid.multihash.bytes) as Row | undefined;
    return row !== undefined && Number(row.refs) > 0;
  }

  /**
   * Makes an upload's object visible: reservation → usage, object row, and (for a new root) the
   * root's block list and block reference counts, in one transaction, on disk when this resolves.
   * Storing a root the account already holds only releases the reservation.
   */
  async commit(
    uploadId: number,
    object: { cid: CID; size: number; dagSize: number; blockCount: number },
    now: number,
  ): Promise<void> {
    await this.commitMany([{ uploadId, object }], now);
  }

  /**
   * Commits several uploads (as `commit` does one) in one transaction. It is committed to the WAL
   * and synced by WalSync, off the event loop: the objects are visible a moment before they are on
   * disk, which no caller acts on outside the process (the node commits the records that name
   * them only after this resolves, and answers only once those are on disk too). Power loss in
   * that moment leaves the uploads pending, and the next open rolls them back, as for any upload
   * not committed.
   */
  async commitMany(
    uploads: {
      uploadId: number;
      object: { cid: CID; size: number; dagSize: number; blockCount: number };
    }[],
    now: number,
  ): Promise<void> {
    withoutFsync(this.#db, () => this.#commitOrThrow(uploads, now));
    await this.#walSync.afterCommit();
  }

  #commitOrThrow(
    uploads: {
      uploadId: number;
      object: { cid: CID; size: number; dagSize: number; blockCount: number };
    }[],
    now: number,
  ): void {
    transaction(this.#db, () => {
      for (const { uploadId, object } of uploads) {
        const upload = this.#sql.upload.get(uploadId) as Row | undefined;
        if (!upload) throw new Error(`upload ${uploadId} is not pending`);
        const account = String(upload.account);
        const cid = object.cid.toString();
        this.#sql.reserve.run(-Number(upload.size), account);
        if (!this.#sql.root.get(cid)) {
          this.#sql.addRoot.run(cid, object.size, object.dagSize, object.blockCount);
          this.#sql.addRootBlocks.run(cid, uploadId, object.cid.multihash.bytes);
          this.#sql.refIntents.run(uploadId);
        }
        if (!this.#sql.object.get(account, cid)) {
          this.#sql.addObject.run(account, cid, object.size, now);
          this.#sql.addUsed.run(object.size, account);
          this.#sql.addHolders.run(1, cid);
        }
        this.#sql.unGarbageIntents.run(uploadId);
        this.#sql.dropIntents.run(uploadId);
        this.#sql.dropUpload.run(uploadId);
      }
    });
  }

  /**
   * Ends an upload without an object: releases its reservation and returns the blocks it meant
   * to write that no committed object needs (the caller deletes their files, then calls
   * `forgetUpload`).
   */
  abandon(uploadId: number): GarbageBlock[] {
    return transaction(this.#db, () => {
      const upload = this.#sql.upload.get(uploadId) as Row | undefined;
      if (upload) this.#sql.reserve.run(-Number(upload.size), String(upload.account));
      this.#sql.dropUpload.run(uploadId);
      const intents = this.#sql.intents.all(uploadId) as Row[];
      return intents
        .filter((row) => !this.#sql.blockRefs.get(row.mh as Uint8Array))
        .map((row) => ({ mh: row.mh as Uint8Array, cid: CID.parse(String(row.cid)) }));
    });
  }

  /** Drops an abandoned upload's intent log once its blocks are gone. */
  forgetUpload(uploadId: number): void {
    this.#sql.dropIntents.run(uploadId);
  }

  /** Uploads that were in progress when the process died. */
  pendingUploads(): number[] {
    return (this.#sql.uploads.all() as Row[]).map((row) => Number(row.id));
  }

  /**
   * Removes an account's object and releases its bytes. When no account holds the root any more,
   * its blocks are unreferenced and those no other root needs move to `garbage`, in the same
   * transaction. Returns false if the account does not hold the object.
   */
  deleteObject(account: string, cid: CID): boolean {
    return transaction(this.#db, () => {
      const key = cid.toString();
      const row = this.#sql.object.get(account, key) as Row | undefined;
      if (!row) return false;
      this.#sql.dropObject.run(account, key);
      this.#sql.addUsed.run(-Number(row.size), account);
      this.#sql.addHolders.run(-1, key);
      if (this.#holders(key) === 0) {
        this.#sql.unrefRoot.run(key, cid.multihash.bytes);
        this.#sql.collectZero.run();
        this.#sql.dropZero.run();
        this.#sql.dropRootBlocks.run(key);
        this.#sql.dropRoot.run(key);
      }
      return true;
    });
  }

  garbage(): GarbageBlock[] {
    return (this.#sql.garbage.all() as Row[]).map((row) => ({
      mh: row.mh as Uint8Array,
      cid: CID.parse(String(row.cid)),
    }));
  }

  forgetGarbage(mh: Uint8Array): void {
    this.#sql.dropGarbage.run(mh);
  }

  hasObject(cid: CID): boolean {
    return this.#holders(cid.toString()) > 0;
  }

  /** How many accounts hold the root (0 for none, or an unknown root). */
  #holders(cid: string): number {
    const row = this.#sql.holders.get(cid) as Row | undefined;
    return row ? Number(row.holders) : 0;
  }

  stat(cid: CID): ObjectStat | undefined {
    if (!this.hasObject(cid)) return undefined;
    const row = this.#sql.root.get(cid.toString()) as Row | undefined;
    if (!row) return undefined;
    return {
      cid,
      size: Number(row.size),
      dagSize: Number(row.dag_size),
      blockCount: Number(row.block_count),
    };
  }

  list(account: string): ObjectInfo[] {
    return (this.#sql.objectsOf.all(account) as Row[]).map((row) => ({
      cid: CID.parse(String(row.cid)),
      size: Number(row.size),
      createdAt: new Date(Number(row.created_at)),
    }));
  }

  /** Every block committed objects need, for scrub. */
  *referencedBlocks(): Generator<CID, void, undefined> {
    for (const row of this.#sql.allBlocks.iterate() as Iterable<Row>) {
      yield CID.parse(String(row.cid));
    }
  }
}

/**
 * An index from before `roots.holders` found a root's holders with an index of objects by root
 * (objects_by_cid): each root gets its count, and the index is dropped, in one transaction.
 */
function countHolders(db: DatabaseSync): void {
  const columns = db.prepare('PRAGMA table_info(roots)').all() as Row[];
  if (columns.some((column) => column.name === 'holders')) return;
  transaction(db, () =>
    db.exec(`ALTER TABLE roots ADD COLUMN holders INTEGER NOT NULL DEFAULT 0;
      UPDATE roots SET holders = (SELECT count(*) FROM objects WHERE objects.cid = roots.cid);
      DROP INDEX IF EXISTS objects_by_cid;`),
  );
}

/** SQLITE_BUSY (5) or SQLITE_LOCKED (6), as node:sqlite reports them in `errcode`. */
function isSqliteBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && ((code & 0xff) === 5 || (code & 0xff) === 6);
}
