import type { Address } from '@aegle/crypto';
import type { Hex } from 'viem';

/** First bytes of every archive: how `aegle import` tells one from a health-data file. */
export const ARCHIVE_MAGIC = '{"format":"aegle-archive"';
export const ARCHIVE_VERSION = 1;

/**
 * The archive's first line. Everything after it is one `ArchiveRecord` per line (JSON Lines), so
 * an archive is written and read one record at a time.
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
  /** The ciphertext exactly as stored, base64. */
  ciphertext: string;
};
