import type { Account } from '@aegle/crypto';
import type { Hex } from 'viem';
import type { AnchorEntry } from '../signing/contracts.ts';
import { type RecordsDeployment, recoverAnchorEntrySigner } from '../signing/sign-anchor-entry.ts';
import type { InclusionView, Transport } from '../transport/transport.ts';
import { IntegrityError, MissingWrappedKeyError } from './errors.ts';
import { type OpenedRecord, openRecord } from './open-record.ts';
import type { OnProgress } from './progress.ts';

export type ReadRecordOptions = {
  transport: Pick<Transport, 'proof' | 'read'>;
  recordId: Hex;
  /** The reader: their wrapped key must be on the node. */
  account: Pick<Account, 'encryptionPrivateKey'>;
  /** The chain and Records contract the entry was signed for. */
  deployment: RecordsDeployment;
  /** The node's UnixFS leaf size (its `/info`); default 1 MiB. */
  chunkSize?: number;
  onProgress?: OnProgress;
  signal?: AbortSignal;
};

/**
 * Checks that an anchor entry is the creator's signature over this record for this deployment,
 * so its content root can be trusted whichever node served it. Throws `IntegrityError('bad-entry')`.
 */
export async function assertAnchorEntry(
  entry: AnchorEntry,
  recordId: Hex,
  deployment: RecordsDeployment,
): Promise<void> {
  let signer: Hex | undefined;
  try {
    signer = await recoverAnchorEntrySigner(entry, deployment);
  } catch (cause) {
    throw new IntegrityError('bad-entry', { cause });
  }
  if (
    entry.recordId.toLowerCase() !== recordId.toLowerCase() ||
    signer.toLowerCase() !== entry.creator.toLowerCase()
  ) {
    throw new IntegrityError('bad-entry');
  }
}

/**
 * Reads a record end to end: the signed entry (checked: the creator signed this record id), then
 * the ciphertext and the caller's wrapped key, opened with the entry's content root as the
 * expected root. Yields plaintext; the same rules as `openRecord` hold (discard everything if it
 * throws). Its return value adds the entry and where its anchor stands on chain.
 */
export async function* readRecord(
  options: ReadRecordOptions,
): AsyncGenerator<
  Uint8Array,
  OpenedRecord & { entry: AnchorEntry; anchor: InclusionView },
  undefined
> {
  const { entry, anchor } = await options.transport.proof(options.recordId);
  await assertAnchorEntry(entry, options.recordId, options.deployment);
  const content = await options.transport.read(options.recordId, {
    ...(options.signal && { signal: options.signal }),
  });
  if (!content.wrappedKey) {
    // The node released the content but holds no key for this reader: nothing to open it with.
    throw new MissingWrappedKeyError();
  }
  const opened = yield* openRecord({
    ciphertext: content.ciphertext,
    wrappedKey: content.wrappedKey,
    account: options.account,
    recordId: options.recordId,
    expectedRoot: entry.contentRoot,
    ...(options.chunkSize !== undefined && { chunkSize: options.chunkSize }),
    ...(content.size !== undefined && { ciphertextSize: content.size }),
    ...(options.onProgress && { onProgress: options.onProgress }),
    // Fetched for this read alone: each chunk is freed once copied into a leaf.
    disposableCiphertext: true,
  });
  return { ...opened, entry, anchor };
}
