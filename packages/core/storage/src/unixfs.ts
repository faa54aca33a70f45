// `@aegle/storage/unixfs`: the browser-safe part of the package. Clients compute the CID of the
// ciphertext they upload (the content root they sign) with exactly the code the store uses.
// Nothing reachable from here imports node:* (a test walks the import graph to hold this).
export { blockMatchesCid, SHA2_256, sha256Multihash } from './block-hash.ts';
export {
  buildUnixfsDag,
  type DagBlock,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_MAX_CHILDREN,
  OBJECT_CHUNK_SIZE,
  type UnixfsDagOptions,
  type UnixfsDagProfile,
  type UnixfsDagResult,
} from './build-unixfs-dag.ts';
export { chunkFixedSize } from './chunk-fixed-size.ts';
export { freeLeaf } from './free-leaf.ts';
