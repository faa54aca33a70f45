import { buildUnixfsDag, OBJECT_CHUNK_SIZE } from '@aegle/storage/unixfs';
import { bytesToHex, type Hex } from 'viem';

/** The multicodec of raw leaves: in the Aegle profile, exactly the content bytes, in order. */
const RAW_CODEC = 0x55;

/** The root of a byte stream as Aegle stores it, and the digest the chain anchors. */
export type ContentRoot = {
  /** The UnixFS root CID (CIDv1, raw leaves, sha2-256), as a string. */
  cid: string;
  /** The CID's sha2-256 digest: an anchor entry's `contentRoot`. */
  contentRoot: Hex;
  /** Bytes of content. */
  size: number;
};

/** The leaf size the node stores objects with (@aegle/storage's ObjectStore default, 1 MiB). */
export const DEFAULT_LEAF_SIZE: number = OBJECT_CHUNK_SIZE;

/**
 * Passes a byte stream through in leaf-sized chunks while building its UnixFS DAG on the side,
 * and returns the root once the stream ends: one pass, memory of one leaf plus one link list per
 * tree level. The leaves of the Aegle profile are the content itself, so the chunks yielded are
 * the input bytes, in order; internal nodes are hashed and dropped.
 *
 * `chunkSize` must be the node's leaf size (its `/info` says it), or the roots will differ.
 */
export async function* passThroughWithRoot(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  chunkSize: number = DEFAULT_LEAF_SIZE,
  /** The exact byte count, when known: a stream shorter than a leaf then gets a buffer its size. */
  totalSize?: number,
  /**
   * Makes the buffers leaves that span input chunks are assembled in (default a fresh one each):
   * a caller that frees the leaves it is done with frees only those, never its input's.
   */
  allocate?: (size: number) => Uint8Array,
  /**
   * Called with each input buffer once it is copied into leaves and no leaf is a view of it:
   * a caller that owns its input (an encryptor's output) passes `freeLeaf`.
   */
  releaseInput?: (input: Uint8Array) => void,
): AsyncGenerator<Uint8Array, ContentRoot, undefined> {
  // The chunker assembles a leaf that spans input buffers in a leaf-sized buffer; for a small
  // record (a FHIR resource) that would be a mostly empty megabyte per record.
  const small = totalSize !== undefined && totalSize <= chunkSize;
  const make = allocate ?? ((size: number) => new Uint8Array(size));
  const dag = buildUnixfsDag(source, {
    profile: 'aegle',
    chunkSize,
    allocate: small ? () => make(totalSize) : make,
    ...(releaseInput && { releaseInput }),
  });
  try {
    for (;;) {
      const next = await dag.next();
      if (next.done) {
        const { cid, size } = next.value;
        return { cid: cid.toString(), contentRoot: bytesToHex(cid.multihash.digest), size };
      }
      if (next.value.cid.code === RAW_CODEC) yield next.value.bytes;
    }
  } finally {
    // A consumer that stops early (an aborted upload) stops the source too.
    await dag.return(undefined as never);
  }
}

/** The root of a whole byte stream, consuming it. */
export async function computeContentRoot(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  chunkSize: number = DEFAULT_LEAF_SIZE,
): Promise<ContentRoot> {
  const pass = passThroughWithRoot(source, chunkSize);
  for (;;) {
    const next = await pass.next();
    if (next.done) return next.value;
  }
}

/** Whether a computed root matches an expected one given as a CID string or a 32-byte digest. */
export function rootMatches(root: ContentRoot, expected: string): boolean {
  if (/^0x[0-9a-fA-F]{64}$/.test(expected)) {
    return root.contentRoot.toLowerCase() === expected.toLowerCase();
  }
  return root.cid === expected;
}
