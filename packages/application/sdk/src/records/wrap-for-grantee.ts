import {
  type Account,
  type Address,
  encodeWrappedDataKey,
  type WrappedDataKey,
  wrapDataKey,
} from '@aegle/crypto';
import type { Hex } from 'viem';
import type { WrappedKeyFor } from '../transport/transport.ts';
import { unwrapRecordKey } from './unwrap-record-key.ts';

export type WrapForGranteeOptions = {
  recordId: Hex;
  /** The data key as wrapped for `account` (patient or guardian): decoded, or 0x-hex. */
  wrappedKey: WrappedDataKey | string;
  /** Who re-wraps: the patient, or a guardian a key was wrapped for. */
  account: Pick<Account, 'encryptionPrivateKey'>;
  /** The new reader and their encryption public key (from the chain's Accounts registry). */
  grantee: { address: Address; encryptionPublicKey: Uint8Array };
};

/**
 * Wraps a record's data key for a new reader: unwrap with the granting account's key, wrap again
 * for the grantee, with the record id as context. The content is never re-encrypted; the data
 * key exists in plaintext only for the moment in between, on the granting client.
 *
 * A per-record grant calls this once; a category grant calls it for every existing record of the
 * category. See docs/KEYS.md for who wraps what, and when.
 */
export async function wrapForGrantee(options: WrapForGranteeOptions): Promise<WrappedKeyFor> {
  const dataKey = await unwrapRecordKey(options.wrappedKey, options.account, options.recordId);
  try {
    const rewrapped = await wrapDataKey(
      dataKey,
      options.grantee.encryptionPublicKey,
      options.recordId,
    );
    return { recipient: options.grantee.address, wrappedKey: encodeWrappedDataKey(rewrapped) };
  } finally {
    dataKey.fill(0);
  }
}
