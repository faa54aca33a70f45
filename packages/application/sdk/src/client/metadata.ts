import type { Account } from '@aegle/crypto';
import type { Hex } from 'viem';
import { MissingWrappedKeyError } from '../records/errors.ts';
import { decryptMetadata, type RecordMetadata } from '../records/record-metadata.ts';
import { unwrapRecordKey } from '../records/unwrap-record-key.ts';
import type { RecordSummary } from '../transport/transport.ts';

/**
 * Opens a record's encrypted metadata with the reader's wrapped key. With `expectedHash` (the
 * signed entry's metadataHash) a swapped envelope is an IntegrityError. A record the node lists
 * without metadata gives `{}`.
 */
export async function decryptMetadataFor(options: {
  record: RecordSummary;
  wrappedKey: Hex | null;
  account: Pick<Account, 'encryptionPrivateKey'>;
  expectedHash?: Hex;
}): Promise<RecordMetadata> {
  if (!options.record.metadata) return {};
  if (!options.wrappedKey) throw new MissingWrappedKeyError();
  const dataKey = await unwrapRecordKey(
    options.wrappedKey,
    options.account,
    options.record.recordId,
  );
  try {
    return await decryptMetadata(options.record.metadata, dataKey, options.expectedHash);
  } finally {
    dataKey.fill(0);
  }
}
