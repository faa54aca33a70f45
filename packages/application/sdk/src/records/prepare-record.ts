import {
  type Account,
  type Address,
  ciphertextLength,
  DEFAULT_SEGMENT_SIZE,
  encodeWrappedDataKey,
  encryptBytes,
  encryptStream,
  generateDataKey,
  randomBytes,
  type WrappedDataKey,
  wrapDataKey,
} from '@aegle/crypto';
import { BaseError } from '@aegle/errors';
import { freeLeaf } from '@aegle/storage/unixfs';
import { bytesToHex, type Hex } from 'viem';
import { type AnchorEntry, bytes32Label, type UnsignedAnchorEntry } from '../signing/contracts.ts';
import {
  batchedEntryNonce,
  type RecordsDeployment,
  signAnchorEntry,
} from '../signing/sign-anchor-entry.ts';
import type { WrappedKeyFor } from '../transport/transport.ts';
import { deferred } from './deferred.ts';
import { InvalidRecordOptionError } from './errors.ts';
import { once } from './once.ts';
import { encryptMetadata, type RecordMetadata } from './record-metadata.ts';
import { type ContentRoot, DEFAULT_LEAF_SIZE, passThroughWithRoot } from './unixfs-root.ts';

/** Someone a record's data key is wrapped for. */
export type KeyHolder = { address: Address; encryptionPublicKey: Uint8Array };

export type PrepareRecordOptions = {
  /** The record's bytes: a stream (read once, in constant memory) or a buffer. */
  plaintext: AsyncIterable<Uint8Array> | Uint8Array;
  /** The plaintext size, if `plaintext` is a stream and the size is known (quota checks). */
  plaintextSize?: number;
  patient: KeyHolder;
  /** The writer: the patient, their guardian, or a certified provider. Signs the entry. */
  creator: Account;
  /** Public category (consents are granted per category), e.g. `Observation`. */
  category: string;
  /** Other readers to wrap the key for, e.g. guardians and current category grantees. */
  recipients?: KeyHolder[];
  /** The record id this one replaces. */
  supersedes?: Hex;
  /** Private description, stored encrypted. */
  metadata: RecordMetadata;
  /** The chain and Records contract the entry is signed for. */
  deployment: RecordsDeployment;
  /** The node's UnixFS leaf size (its `/info`); default 1 MiB as @aegle/storage stores objects. */
  chunkSize?: number;
  /** Encryption segment size; default @aegle/crypto's. */
  segmentSize?: number;
  /** The record id; default 32 random bytes. */
  recordId?: Hex;
  /**
   * Wraps the data key for one holder, bound to the record id; default `wrapDataKey` (an HPKE
   * encapsulation each). A batched write passes one `createDataKeyWrapper` per holder instead.
   */
  wrapKey?: (dataKey: Uint8Array, holder: KeyHolder, recordId: Hex) => Promise<WrappedDataKey>;
  /** The entry's nonce; default a fresh random key (batched path). */
  nonce?: bigint;
  /** Unix seconds for the entry's `signedAt`; default the time the stream ends. */
  signedAt?: () => bigint;
  /**
   * Signs the entry once the content root is known; default `signAnchorEntry` with `creator`'s
   * key. A batched write seals records unsigned and signs each batch's entries at once.
   */
  signEntry?: (entry: UnsignedAnchorEntry) => Promise<AnchorEntry>;
};

/** What is known once the whole ciphertext went through: the root and the signed entry. */
export type SealedRecord = ContentRoot & { entry: AnchorEntry };

export type PreparedRecord = {
  recordId: Hex;
  patient: Address;
  creator: Address;
  /** The category as the bytes32 label the chain uses. */
  category: Hex;
  /** Exact ciphertext size, when the plaintext size is known. */
  ciphertextSize: number | undefined;
  /**
   * The ciphertext, to be consumed once by the transport. Its root is computed as it flows;
   * when it ends, the creator signs the anchor entry and `sealed` resolves.
   */
  ciphertext: AsyncIterable<Uint8Array>;
  /** The data key wrapped for the patient, the creator and each recipient (context: record id). */
  wrappedKeys: WrappedKeyFor[];
  /** The encrypted metadata envelope. */
  metadata: Uint8Array;
  metadataHash: Hex;
  /** Resolves after `ciphertext` ends; rejects if it failed or was abandoned. */
  sealed: Promise<SealedRecord>;
};

/** The ciphertext of a prepared record was not read to the end, so nothing was signed. */
export class UploadIncompleteError extends BaseError {
  override name = 'UploadIncompleteError';
  constructor(options: { cause?: unknown } = {}) {
    super('The record’s ciphertext was not read to the end, so its entry was not signed.', {
      hint: 'Prepare the record again and send its whole ciphertext.',
      cause: options.cause,
    });
  }
}

const ZERO32: Hex = `0x${'00'.repeat(32)}`;

function randomBytes32(): Hex {
  return bytesToHex(randomBytes(32));
}

/** The largest plaintext in memory that is encrypted in one call rather than streamed. */
const ONE_CALL_MAX_BYTES = 1024 * 1024;

/**
 * The ciphertext of a plaintext: a small one in memory encrypted in one call (encryptBytes, the
 * same bytes as a stream, without a generator and a promise per step, which for a record of a
 * few kilobytes cost more than the AES); anything else streamed, one segment at a time, so that
 * a large plaintext in memory is not held twice.
 */
async function* encrypted(
  plaintext: AsyncIterable<Uint8Array> | Uint8Array,
  dataKey: Uint8Array,
  segmentSize: number,
): AsyncGenerator<Uint8Array> {
  if (plaintext instanceof Uint8Array && plaintext.length <= ONE_CALL_MAX_BYTES) {
    yield await encryptBytes(plaintext, dataKey, { segmentSize });
    return;
  }
  const source = plaintext instanceof Uint8Array ? once(plaintext) : plaintext;
  yield* encryptStream(source, dataKey, { segmentSize });
}

/**
 * Prepares a record for upload, keeping every key on the client: a fresh data key, a random
 * record id, the data key wrapped for every reader, the metadata encrypted, and the content as a
 * ciphertext stream whose UnixFS root is computed in the same pass. The signature needs that
 * root, so it happens when the stream ends (see docs/KEYS.md, "Upload protocol").
 */
export async function prepareRecord(options: PrepareRecordOptions): Promise<PreparedRecord> {
  const recordId = options.recordId ?? randomBytes32();
  if (!/^0x[0-9a-fA-F]{64}$/.test(recordId) || BigInt(recordId) === 0n) {
    throw new InvalidRecordOptionError('recordId', 'must be 32 nonzero bytes as 0x-hex');
  }
  const supersedes = options.supersedes ?? ZERO32;
  if (!/^0x[0-9a-fA-F]{64}$/.test(supersedes)) {
    throw new InvalidRecordOptionError('supersedes', 'must be a record id (32 bytes as 0x-hex)');
  }
  const category = bytes32Label(options.category);
  const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  const chunkSize = options.chunkSize ?? DEFAULT_LEAF_SIZE;
  const knownSize =
    options.plaintext instanceof Uint8Array ? options.plaintext.length : options.plaintextSize;
  const ciphertextSize =
    knownSize === undefined ? undefined : ciphertextLength(knownSize, segmentSize);

  const dataKey = generateDataKey();
  // Each reader once, in the order patient, creator, others.
  const holders = new Map<string, KeyHolder>();
  for (const holder of [
    options.patient,
    { address: options.creator.address, encryptionPublicKey: options.creator.encryptionPublicKey },
    ...(options.recipients ?? []),
  ]) {
    const key = holder.address.toLowerCase();
    if (!holders.has(key)) holders.set(key, holder);
  }
  const wrappedKeys: WrappedKeyFor[] = [];
  for (const holder of holders.values()) {
    const wrapped = options.wrapKey
      ? await options.wrapKey(dataKey, holder, recordId)
      : await wrapDataKey(dataKey, holder.encryptionPublicKey, recordId);
    wrappedKeys.push({ recipient: holder.address, wrappedKey: encodeWrappedDataKey(wrapped) });
  }
  const { envelope, metadataHash } = await encryptMetadata(options.metadata, dataKey);

  const sealed = deferred<SealedRecord>();
  const unsigned = {
    recordId,
    patient: options.patient.address,
    creator: options.creator.address,
    metadataHash,
    category,
    supersedes,
    nonce: options.nonce ?? batchedEntryNonce(),
  };
  async function* ciphertext(): AsyncGenerator<Uint8Array, void, undefined> {
    const pass = passThroughWithRoot(
      encrypted(options.plaintext, dataKey, segmentSize),
      chunkSize,
      ciphertextSize,
      undefined,
      // The encryptor's output is ours alone: each piece is freed once copied into a leaf, not
      // left for V8's full collections (a gigabyte of 64 KiB buffers per gigabyte uploaded).
      freeLeaf,
    );
    try {
      let next = await pass.next();
      while (!next.done) {
        yield next.value;
        next = await pass.next();
      }
      const root = next.value;
      const signedAt = options.signedAt?.() ?? BigInt(Math.floor(Date.now() / 1000));
      const toSign = { ...unsigned, contentRoot: root.contentRoot, signedAt };
      const entry = options.signEntry
        ? await options.signEntry(toSign)
        : await signAnchorEntry(toSign, options.creator, options.deployment);
      sealed.resolve({ ...root, entry });
    } catch (error) {
      sealed.reject(error);
      throw error;
    } finally {
      // Abandoned by its consumer: close the plaintext source, and nothing was signed.
      await pass.return(undefined as never);
      if (!sealed.settled) sealed.reject(new UploadIncompleteError());
      dataKey.fill(0);
    }
  }

  return {
    recordId,
    patient: options.patient.address,
    creator: options.creator.address,
    category,
    ciphertextSize,
    ciphertext: ciphertext(),
    wrappedKeys,
    metadata: envelope,
    metadataHash,
    sealed: sealed.promise,
  };
}
