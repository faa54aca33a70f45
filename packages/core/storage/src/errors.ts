import { BaseError } from '@aegle/errors';

// Every message names CIDs and byte counts only: a CID is the hash of ciphertext, so it reveals
// nothing about a patient, and it is what an operator needs to find the block on disk.

/** A block is absent from every replica. */
export class BlockNotFoundError extends BaseError {
  override name = 'BlockNotFoundError';
  readonly cid: string;
  constructor(cid: string, options: { cause?: unknown } = {}) {
    super(`Block ${cid} is not stored in any replica.`, {
      hint: 'The object may have been deleted, or it was never stored on this node.',
      cause: options.cause,
    });
    this.cid = cid;
  }
}

/** A block exists somewhere, but no replica holds a copy whose hash matches its CID. */
export class UnrecoverableBlockError extends BaseError {
  override name = 'UnrecoverableBlockError';
  readonly cid: string;
  constructor(cid: string, options: { cause?: unknown } = {}) {
    super(`Block ${cid} is corrupt or missing in every replica and cannot be repaired.`, {
      hint: 'Restore the block from a backup or another node, then run scrub again.',
      cause: options.cause,
    });
    this.cid = cid;
  }
}

/** One replica's copy of a block does not hash to its CID. */
export class CorruptBlockError extends BaseError {
  override name = 'CorruptBlockError';
  readonly cid: string;
  constructor(cid: string, where: string) {
    super(`Block ${cid} in ${where} does not match its CID.`, {
      hint: 'Read it through a ReplicatedBlockstore (or run scrub) to repair it from another replica.',
    });
    this.cid = cid;
  }
}

/** The CID uses a hash function this store does not verify. */
export class UnsupportedHashError extends BaseError {
  override name = 'UnsupportedHashError';
  readonly code: number;
  constructor(cid: string, code: number) {
    super(
      `Block ${cid} uses multihash code 0x${code.toString(16)}; only sha2-256 (0x12) is accepted.`,
      {
        hint: 'Re-import the data with sha2-256 CIDs.',
      },
    );
    this.code = code;
  }
}

/** Fewer replicas than required acknowledged a write. */
export class ReplicaWriteError extends BaseError {
  override name = 'ReplicaWriteError';
  readonly cid: string;
  readonly errors: readonly unknown[];
  constructor(cid: string, acks: number, minAcks: number, errors: readonly unknown[]) {
    super(`Block ${cid} was stored on ${acks} replica(s), ${minAcks} required.`, {
      hint: 'Check that every replica directory is writable and has free space.',
      cause: errors[0],
    });
    this.cid = cid;
    this.errors = errors;
  }
}

/** The disk of a replica is full (ENOSPC, EDQUOT). */
export class StorageFullError extends BaseError {
  override name = 'StorageFullError';
  constructor(where: string, options: { cause?: unknown } = {}) {
    super(`The disk holding ${where} is full; the write was rolled back.`, {
      hint: 'Free disk space or move the data directory to a larger disk, then retry.',
      cause: options.cause,
    });
  }
}

/** The account's quota cannot hold the object. Nothing was written. */
export class QuotaExceededError extends BaseError {
  override name = 'QuotaExceededError';
  readonly used: number;
  readonly reserved: number;
  readonly limit: number;
  readonly requested: number;
  constructor(details: { used: number; reserved: number; limit: number; requested: number }) {
    super(
      `Storing ${details.requested} bytes would exceed the quota: ${details.used} used, ` +
        `${details.reserved} reserved by uploads in progress, limit ${details.limit}.`,
      { hint: 'Buy more storage, or delete objects you no longer need.' },
    );
    this.used = details.used;
    this.reserved = details.reserved;
    this.limit = details.limit;
    this.requested = details.requested;
  }
}

/** The source yielded a different number of bytes than declared. The upload was rolled back. */
export class SizeMismatchError extends BaseError {
  override name = 'SizeMismatchError';
  readonly declared: number;
  readonly actual: number;
  constructor(declared: number, actual: number) {
    super(
      `The upload declared ${declared} bytes but its source yielded ${actual}${actual > declared ? ' or more' : ''}.`,
      {
        hint: 'Declare the exact ciphertext length (the crypto layer computes it up front).',
      },
    );
    this.declared = declared;
    this.actual = actual;
  }
}

/** No committed object with this CID (for this account). */
export class ObjectNotFoundError extends BaseError {
  override name = 'ObjectNotFoundError';
  readonly cid: string;
  constructor(cid: string) {
    super(`Object ${cid} is not stored on this node.`, {
      hint: 'Check the CID; an upload becomes visible only once it has been committed.',
    });
    this.cid = cid;
  }
}

/** Another process (or another ObjectStore in this one) has the data directory open. */
export class StoreInUseError extends BaseError {
  override name = 'StoreInUseError';
  constructor(dir: string) {
    super(`The data directory ${dir} is open in another process or store.`, {
      hint: 'Close the other store (or stop the process using it), or use another data directory.',
    });
  }
}

/** A caller passed an option outside its allowed range. */
export class InvalidStorageOptionError extends BaseError {
  override name = 'InvalidStorageOptionError';
  constructor(message: string, hint: string) {
    super(message, { hint });
  }
}

/** A block is not a UnixFS file node this reader understands. */
export class InvalidUnixfsError extends BaseError {
  override name = 'InvalidUnixfsError';
  readonly cid: string;
  constructor(cid: string, reason: string) {
    super(`Block ${cid} is not a readable UnixFS file: ${reason}.`, {
      hint: 'Only UnixFS files (raw or dag-pb leaves) can be read back as bytes.',
    });
    this.cid = cid;
  }
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** SQLite's result code for a full disk (node:sqlite puts it in `errcode`). */
const SQLITE_FULL = 13;

/** True when a node:fs or node:sqlite error means "no space left". */
export function isDiskFullError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  return DISK_FULL_CODES.has(code as string) || errcode === SQLITE_FULL;
}
