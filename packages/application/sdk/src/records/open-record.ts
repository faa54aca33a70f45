import { type Account, decryptStream, type WrappedDataKey } from '@aegle/crypto';
import { freeLeaf } from '@aegle/storage/unixfs';
import type { Hex } from 'viem';
import { IntegrityError } from './errors.ts';
import { integrityErrorFrom } from './integrity-error-from.ts';
import { countProgress, type OnProgress } from './progress.ts';
import {
  type ContentRoot,
  DEFAULT_LEAF_SIZE,
  passThroughWithRoot,
  rootMatches,
} from './unixfs-root.ts';
import { unwrapRecordKey } from './unwrap-record-key.ts';

export type OpenRecordOptions = {
  /** The ciphertext as fetched, consumed once. */
  ciphertext: AsyncIterable<Uint8Array>;
  /** The caller's wrapped key: as decoded, or `encodeWrappedDataKey`'s 0x-hex. */
  wrappedKey: WrappedDataKey | string;
  /** The reader: their encryption private key unwraps the data key. */
  account: Pick<Account, 'encryptionPrivateKey'>;
  recordId: Hex;
  /**
   * The anchored content root (the entry's `contentRoot`, 32 bytes as 0x-hex) or the root CID.
   * Without it, only each segment's authentication is checked, and the computed root is returned
   * for the caller to compare.
   */
  expectedRoot?: string;
  /** The node's UnixFS leaf size; default 1 MiB. */
  chunkSize?: number;
  /** Ciphertext size, for progress totals. */
  ciphertextSize?: number;
  /** Ciphertext bytes received so far. */
  onProgress?: OnProgress;
  /**
   * The ciphertext's chunks are this function's to free once copied into leaves (a transport's
   * read, see `ReadResult`): freed at once, not left for V8's full collections. Default false:
   * a caller's own buffers are never touched.
   */
  disposableCiphertext?: boolean;
};

/** What the end of an opened record proves. */
export type OpenedRecord = ContentRoot & {
  /** True when the root was compared with `expectedRoot` (and matched). */
  verified: boolean;
  /** Plaintext bytes yielded. */
  plaintextSize: number;
};

/**
 * Opens a record as a stream of plaintext, in one pass and constant memory: unwraps the data key,
 * decrypts segment by segment (each one authenticated before it is yielded), and computes the
 * ciphertext's UnixFS root on the way. At the end the root is checked against `expectedRoot`.
 *
 * Any failure of the content (altered, cut short, another root) throws `IntegrityError`, possibly
 * after some plaintext was yielded: that plaintext must be discarded. Only a stream that ends
 * normally is the record; its return value says what was verified. A key not wrapped for this
 * account throws `KeyUnwrapError` before anything is read.
 */
export async function* openRecord(
  options: OpenRecordOptions,
): AsyncGenerator<Uint8Array, OpenedRecord, undefined> {
  const dataKey = await unwrapRecordKey(options.wrappedKey, options.account, options.recordId);
  let root: ContentRoot | undefined;
  // Leaves assembled here (from the ciphertext's chunks) are ours to free; a leaf that is a view
  // of the caller's own chunk is not.
  const assembled = new WeakSet<Uint8Array>();
  const pass = passThroughWithRoot(
    countProgress(options.ciphertext, options.onProgress, options.ciphertextSize),
    options.chunkSize ?? DEFAULT_LEAF_SIZE,
    undefined,
    (size) => {
      const leaf = new Uint8Array(size);
      assembled.add(leaf);
      return leaf;
    },
    options.disposableCiphertext ? freeLeaf : undefined,
  );
  async function* ciphertext(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      let next = await pass.next();
      while (!next.done) {
        yield next.value;
        // The decryptor asks for the next leaf only once it has copied or opened all of this one
        // (see @aegle/crypto's ChunkReader): free it now rather than at V8's next full GC.
        if (assembled.has(next.value)) freeLeaf(next.value);
        next = await pass.next();
      }
      root = next.value;
    } finally {
      // A reader that stops early closes the download too.
      await pass.return(undefined as never);
    }
  }
  const source = ciphertext();
  let plaintextSize = 0;
  try {
    for await (const plain of decryptStream(source, dataKey)) {
      plaintextSize += plain.length;
      yield plain;
    }
    // The decryptor stops at the final segment; read the rest so the root covers every byte
    // (bytes after the final segment make the decryptor throw, so this is the end of input).
    for await (const _ of source) {
    }
  } catch (error) {
    throw integrityErrorFrom(error);
  } finally {
    dataKey.fill(0);
  }
  if (root === undefined) throw new IntegrityError('truncated');
  const verified = options.expectedRoot !== undefined;
  if (verified && !rootMatches(root, options.expectedRoot as string)) {
    throw new IntegrityError('root-mismatch');
  }
  return { ...root, verified, plaintextSize };
}
