import type { BatchRecordInput } from '../transport/transport.ts';
import { type PrepareRecordOptions, prepareRecord } from './prepare-record.ts';

/**
 * Prepares a record whose plaintext is in memory, and runs its whole ciphertext through at once:
 * the result carries the ciphertext, the signed entry, the wrapped keys and the metadata, ready
 * for a batch write (`Transport.writeBatch`). For small records only: the ciphertext is held.
 */
export async function sealSmallRecord(
  options: PrepareRecordOptions & { plaintext: Uint8Array },
): Promise<BatchRecordInput> {
  const prepared = await prepareRecord(options);
  const size = prepared.ciphertextSize as number;
  const content = new Uint8Array(size);
  let offset = 0;
  for await (const chunk of prepared.ciphertext) {
    content.set(chunk, offset);
    offset += chunk.length;
  }
  const { entry } = await prepared.sealed;
  return { entry, wrappedKeys: prepared.wrappedKeys, metadata: prepared.metadata, content };
}
