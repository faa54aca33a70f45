import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as Digest from 'multiformats/hashes/digest';
import { SHA2_256, sha256Multihash } from './block-hash.ts';
import { chunkFixedSize } from './chunk-fixed-size.ts';
import { InvalidStorageOptionError } from './errors.ts';

/** Default leaf size of stored objects: 1 MiB (see `ObjectStoreOptions.chunkSize`). */
export const OBJECT_CHUNK_SIZE = 1_048_576;

/** 256 KiB, the chunk size of kubo and of ipfs-unixfs-importer (without a profile). */
export const DEFAULT_CHUNK_SIZE = 262_144;
/** Links per internal node of the balanced layout, as in kubo and ipfs-unixfs-importer. */
export const DEFAULT_MAX_CHILDREN = 174;

export type UnixfsDagProfile =
  /** Raw leaves, CIDv1, sha2-256: what Aegle stores. */
  | 'aegle'
  /** dag-pb UnixFS leaves, CIDv0: what `ipfs add` (kubo defaults) and `ipfs_cid` produce. */
  | 'kubo-classic';

export type UnixfsDagOptions = {
  profile?: UnixfsDagProfile;
  chunkSize?: number;
  maxChildrenPerNode?: number;
  /**
   * Supplies the buffers leaves are assembled in (see `chunkFixedSize`); default a fresh
   * Uint8Array each. With the 'aegle' profile the leaf's bytes are that buffer (or a view of it).
   */
  allocate?: (size: number) => Uint8Array;
  /**
   * Called with each source buffer once its bytes are all copied into leaves and none of it is a
   * block's bytes (see `chunkFixedSize`): a caller that owns its source's buffers passes
   * `freeLeaf` to free them at once.
   */
  releaseInput?: (input: Uint8Array) => void;
  /**
   * Leaves hashed ahead of the one being yielded, off this thread (by `digest`). 0 (default):
   * each leaf is hashed here, synchronously. A writer that also encrypts or does I/O on this
   * thread sets it to a few, so hashing runs on the other core.
   * The blocks and CIDs are the same either way.
   */
  hashAhead?: number;
  /**
   * How leaves are hashed ahead (with `hashAhead` > 0): SHA-256 of a leaf, resolved once its
   * bytes may be read again. Default WebCrypto's digest, which copies the leaf and hashes it on
   * libuv's thread pool.
   */
  digest?: (leaf: Uint8Array) => Promise<Uint8Array>;
};

/**
 * One block of the DAG, ready to store. `bytes` may alias the source's buffer (see the chunker).
 * The builder does not read a block's bytes again once it has yielded it.
 */
export type DagBlock = { cid: CID; bytes: Uint8Array };

export type UnixfsDagResult = {
  /** The root: the file's CID. */
  cid: CID;
  /** Bytes of file content. */
  size: number;
  /** Cumulative size of the DAG (the root's Tsize): content plus node overhead. */
  dagSize: number;
  /** Blocks yielded, repeats included. */
  blockCount: number;
};

type Link = { cid: CID; tsize: number; fileSize: number };

/**
 * Builds a UnixFS file DAG from a byte stream, yielding each block as soon as it exists, so memory
 * stays at one chunk plus one pending link list per tree level, whatever the file size. The
 * generator's return value is the root CID and sizes.
 *
 * Layout is the importer's `balanced`: leaves are grouped `maxChildrenPerNode` at a time under
 * `file` nodes, those nodes again, until one node is left. A group is reduced as soon as it is full,
 * which gives the same tree as reducing level by level, because a full group is reduced the same
 * way whether or not more data follows. A file of exactly one chunk is that chunk's leaf
 * (`reduceSingleLeafToSelf`); an empty file is a single empty leaf.
 */
export async function* buildUnixfsDag(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: UnixfsDagOptions = {},
): AsyncGenerator<DagBlock, UnixfsDagResult, undefined> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const maxChildren = options.maxChildrenPerNode ?? DEFAULT_MAX_CHILDREN;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 4_194_304) {
    throw new InvalidStorageOptionError(
      `chunkSize ${chunkSize} is out of range.`,
      'Use a whole number of bytes between 1 and 4 MiB (blocks over 2 MiB are not exchanged by IPFS peers).',
    );
  }
  if (!Number.isInteger(maxChildren) || maxChildren < 2) {
    throw new InvalidStorageOptionError(
      `maxChildrenPerNode ${maxChildren} is out of range.`,
      'Use a whole number of at least 2 (kubo uses 174).',
    );
  }
  const classic = options.profile === 'kubo-classic';
  const nodeVersion = classic ? 0 : 1;

  // levels[0] holds leaf links not yet grouped, levels[i] nodes of height i.
  const levels: Link[][] = [[]];
  let blockCount = 0;
  let size = 0;

  const internalNode = (links: Link[]): DagBlock & { link: Link } => {
    const unixfs = new UnixFS({ type: 'file', blockSizes: links.map((l) => BigInt(l.fileSize)) });
    const bytes = dagPb.encode({
      Data: unixfs.marshal(),
      Links: links.map((l) => ({ Hash: l.cid, Name: '', Tsize: l.tsize })),
    });
    const cid = CID.create(nodeVersion, dagPb.code, sha256Multihash(bytes));
    let tsize = bytes.length;
    let fileSize = 0;
    for (const l of links) {
      tsize += l.tsize;
      fileSize += l.fileSize;
    }
    return { cid, bytes, link: { cid, tsize, fileSize } };
  };

  const hashAhead = options.hashAhead ?? 0;
  // Leaves whose digest is being computed, oldest first (only with hashAhead > 0).
  const hashing: { chunk: Uint8Array; digest: Promise<Uint8Array> }[] = [];
  const digestAhead =
    options.digest ??
    (async (leaf: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', leaf)));

  async function* addLeaf(chunk: Uint8Array, digest: Uint8Array | undefined) {
    let bytes: Uint8Array;
    let cid: CID;
    if (classic) {
      bytes = dagPb.encode({
        Data: new UnixFS({ type: 'file', data: chunk }).marshal(),
        Links: [],
      });
      cid = CID.createV0(sha256Multihash(bytes));
    } else {
      bytes = chunk;
      const multihash =
        digest === undefined ? sha256Multihash(bytes) : Digest.create(SHA2_256, digest);
      cid = CID.createV1(raw.code, multihash);
    }
    blockCount++;
    size += chunk.length;
    // Lengths are taken before the yield: the consumer owns a yielded block and may free its
    // bytes (detach the buffer) once it has used them.
    const link = { cid, tsize: bytes.length, fileSize: chunk.length };
    yield { cid, bytes };
    levels[0]?.push(link);
    // Reduce every full group, cascading upwards.
    for (let height = 0; (levels[height]?.length ?? 0) === maxChildren; height++) {
      const node = internalNode(levels[height] as Link[]);
      levels[height] = [];
      blockCount++;
      yield node;
      pushLink(levels, height + 1, node.link);
    }
  }

  for await (const chunk of chunkFixedSize(
    source,
    chunkSize,
    options.allocate,
    options.releaseInput,
  )) {
    if (hashAhead <= 0 || classic) {
      yield* addLeaf(chunk, undefined);
      continue;
    }
    const digest = digestAhead(chunk);
    digest.catch(() => {}); // awaited in order below; a failure surfaces there
    hashing.push({ chunk, digest });
    if (hashing.length > hashAhead) {
      const next = hashing.shift() as (typeof hashing)[number];
      yield* addLeaf(next.chunk, await next.digest);
    }
  }
  for (let next = hashing.shift(); next !== undefined; next = hashing.shift()) {
    yield* addLeaf(next.chunk, await next.digest);
  }

  // The end: reduce the partial groups bottom-up until a single node is left on the top level.
  let top = levels.length - 1;
  while (top > 0 && levels[top]?.length === 0) top--;
  const onlyLeaf = levels[0]?.length === 1 && top === 0 && blockCount === 1;
  let root: Link | undefined;
  if (onlyLeaf) {
    root = levels[0]?.[0];
  } else {
    for (let height = 0; ; height++) {
      const links = levels[height] ?? [];
      if (height >= top && links.length === 1 && height > 0) {
        root = links[0];
        break;
      }
      if (links.length > 0) {
        const node = internalNode(links);
        blockCount++;
        yield node;
        pushLink(levels, height + 1, node.link);
        if (height + 1 > top) top = height + 1;
      }
    }
  }
  if (root === undefined) throw new Error('unreachable: a DAG always has a root');
  return { cid: root.cid, size, dagSize: root.tsize, blockCount };
}

function pushLink(levels: Link[][], height: number, link: Link): void {
  const level = levels[height];
  if (level) level.push(link);
  else levels[height] = [link];
}
