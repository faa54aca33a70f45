// Public API of @aegle/storage: opaque bytes (ciphertext) in content-addressed, replicated,
// self-healing storage with per-account quotas. No crypto, no chain.

export { blockPath, cidFromBlockFile } from './block-path.ts';
export {
  BlockNotFoundError,
  CorruptBlockError,
  InvalidStorageOptionError,
  InvalidUnixfsError,
  ObjectNotFoundError,
  QuotaExceededError,
  ReplicaWriteError,
  SizeMismatchError,
  StorageFullError,
  StoreInUseError,
  UnrecoverableBlockError,
  UnsupportedHashError,
} from './errors.ts';
export {
  type AbortOptions,
  type BlockWriteOptions,
  FsBlockstore,
  type WrittenBlock,
} from './fs-blockstore.ts';
export {
  DEFAULT_FREE_QUOTA,
  type ObjectInfo,
  type ObjectStat,
  type Usage,
} from './object-index.ts';
export {
  ObjectStore,
  type ObjectStoreOptions,
  type PutObjectInput,
} from './object-store.ts';
export { type BlockReader, readUnixfs } from './read-unixfs.ts';
export {
  BlockBatch,
  type BlockReplica,
  DEFAULT_REPLICA_DIRECTORIES,
  type ReplicaFailure,
  ReplicatedBlockstore,
  type ReplicatedBlockstoreOptions,
  type ScrubReport,
} from './replicated-blockstore.ts';
export { sendLeaf } from './send-leaf.ts';
export { transaction } from './sqlite-transaction.ts';
// The browser-safe part (DAG building, block hashes), also its own entry `@aegle/storage/unixfs`.
export * from './unixfs.ts';
export { type BackgroundCheckpoints, checkpointInBackground } from './wal-checkpointer.ts';
export { WalSync, withoutFsync } from './wal-sync.ts';
