import type { CommitInput, RecordSummary, Transport } from '../transport/transport.ts';
import { IntegrityError } from './errors.ts';
import type { PreparedRecord, SealedRecord } from './prepare-record.ts';
import type { OnProgress } from './progress.ts';

/**
 * Sends a prepared record with the two-step protocol: stream the ciphertext (the node stores it
 * and returns the root it computed), check that root against the client's, then commit the
 * signed entry, wrapped keys and metadata. A node that stored other bytes is caught before the
 * commit, and the uncommitted upload expires on the node.
 */
export async function uploadRecord(
  transport: Transport,
  prepared: PreparedRecord,
  options: { onProgress?: OnProgress; signal?: AbortSignal; idempotencyKey?: string } = {},
): Promise<{ record: RecordSummary; sealed: SealedRecord }> {
  const receipt = await transport.upload({
    patient: prepared.patient,
    ...(prepared.ciphertextSize !== undefined && { size: prepared.ciphertextSize }),
    body: prepared.ciphertext,
    ...(options.onProgress && { onProgress: options.onProgress }),
    ...(options.signal && { signal: options.signal }),
  });
  const sealed = await prepared.sealed;
  if (receipt.cid !== sealed.cid || receipt.size !== sealed.size) {
    throw new IntegrityError('node-root-mismatch');
  }
  const commit: CommitInput = {
    uploadId: receipt.uploadId,
    entry: sealed.entry,
    wrappedKeys: prepared.wrappedKeys,
    metadata: prepared.metadata,
    ...(options.idempotencyKey && { idempotencyKey: options.idempotencyKey }),
  };
  return { record: await transport.commit(commit), sealed };
}
