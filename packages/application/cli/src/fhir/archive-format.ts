import type { Address } from '@aegle/crypto';
import type { Hex } from 'viem';

/** First bytes of every archive: how `aegle import` tells one from a health-data file. */
export const ARCHIVE_MAGIC = '{"format":"aegle-archive"';
/**
 * Version 2 streams each record's ciphertext as lines of at most `ARCHIVE_CHUNK_BYTES`, so a
 * record of any size is written and read in constant memory. Version 1 held a record's whole
 * ciphertext in one base64 string, which JavaScript cannot hold for records over about 400 MB;
 * it is still read.
 */
export const ARCHIVE_VERSION = 2;
export const READABLE_ARCHIVE_VERSIONS: readonly number[] = [1, 2];
/** Ciphertext bytes per chunk line (before base64). */
export const ARCHIVE_CHUNK_BYTES = 1_048_576;

/**
 * The archive's first line. Everything after it is JSON Lines: per record, one `ArchiveRecord`
 * line, then (version 2) its ciphertext as `chunks` lines, each a JSON string of base64.
 */
export type ArchiveHeader = {
  format: 'aegle-archive';
  version: number;
  patient: Address;
  /** The chain and Records contract the entries were signed for: what their signatures prove. */
  deployment: { chainId: number; records: Address };
  /** The source node's UnixFS leaf size: the content roots were computed with it. */
  chunkSize?: number;
  createdAt: string;
  count: number;
};

/** One record as the source node holds it: nothing in it is plaintext or an unwrapped key. */
export type ArchiveRecord = {
  record: {
    recordId: Hex;
    patient: Address;
    creator: Address;
    category: Hex;
    cid: string;
    size: number;
    createdAt: number;
  };
  /** The creator's signed anchor entry (nonce and signedAt as decimal strings). */
  entry: Record<string, string>;
  /** The record's data key, wrapped for the patient (encodeWrappedDataKey's hex). */
  wrappedKey: Hex;
  /** The encrypted metadata envelope, base64. */
  metadata: string;
  /** Version 2: ciphertext bytes, in the `chunks` lines that follow. */
  ciphertextSize?: number;
  chunks?: number;
  /** Version 1: the ciphertext exactly as stored, base64. */
  ciphertext?: string;
};
