import {
  type Account,
  decodeWrappedDataKey,
  unwrapDataKey,
  type WrappedDataKey,
} from '@aegle/crypto';

/**
 * A record's data key, unwrapped with this account's encryption key: the wrapped key as the node
 * sends it (hex) or already decoded, bound to the record id it was wrapped for. The caller zeroes
 * the returned key when done.
 */
export function unwrapRecordKey(
  wrappedKey: WrappedDataKey | string,
  account: Pick<Account, 'encryptionPrivateKey'>,
  recordId: string,
): Promise<Uint8Array> {
  const wrapped = typeof wrappedKey === 'string' ? decodeWrappedDataKey(wrappedKey) : wrappedKey;
  return unwrapDataKey(wrapped, account.encryptionPrivateKey, recordId);
}
