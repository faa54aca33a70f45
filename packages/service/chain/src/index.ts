// Public API of @aegle/chain: the chain Aegle's contracts live on (embedded anvil or any external
// EVM JSON-RPC endpoint), their deployment, record and audit batches with inclusion proofs, and the
// node-local SQLite index with its permission check.

export {
  anvilBinaryPath,
  type EmbeddedAnvil,
  type StartAnvilOptions,
  startAnvil,
} from './anvil.ts';
export { type AuditBatch, buildAuditBatch, verifyAuditInclusion } from './audit-batch.ts';
export type { AegleChain } from './chain.ts';
export { type AegleChainClients, aegleChain, createAegleClients } from './clients.ts';
export {
  type ConnectExternalChainOptions,
  connectExternalChain,
} from './connect-external-chain.ts';
export { type DeployAegleOptions, deployAegle } from './deploy-aegle.ts';
export { runDeployCommand } from './deploy-command.ts';
export {
  type AegleContractAddresses,
  type AegleDeployment,
  deploymentPath,
  parseDeployment,
  readDeployment,
  writeDeployment,
  writeFileAtomic,
} from './deployment.ts';
export {
  AnvilCrashedError,
  AnvilStartError,
  BatchMismatchError,
  DeploymentMismatchError,
  DeploymentNotFoundError,
  IndexerError,
  OperatorKeyError,
  TransactionFailedError,
} from './errors.ts';
export {
  type BatchToResolve,
  createIndexer,
  type Indexer,
  type IndexerOptions,
  type ResolvedBatch,
  type SyncResult,
} from './indexer/create-indexer.ts';
export { loadBatchEntries } from './indexer/load-batch-entries.ts';
export {
  type MayReadAnswer,
  type MayReadReason,
  mayRead,
  PURPOSE_OWNER,
} from './indexer/may-read.ts';
export {
  accountOf,
  activeGrants,
  anchorsOf,
  anchorsOfPatient,
  auditCommits,
  certificatesOf,
  currentGrant,
  guardianAt,
  hasRole,
  type IndexedAccount,
  type IndexedAnchor,
  type IndexedCertificate,
  type IndexedCommit,
  type IndexedGrant,
  isCertifiedAt,
  recordBatches,
  standingAnchor,
  writeAllowedAt,
} from './indexer/queries.ts';
export {
  INDEX_SCHEMA_VERSION,
  indexDatabasePath,
  openIndexDatabase,
  permissionsEpochReader,
} from './indexer/schema.ts';
export { loadOrCreateOperatorKey, operatorKeyPath, readOperatorKey } from './operator-key.ts';
export {
  buildRecordBatch,
  type RecordBatch,
  recordBatchRoot,
  verifyRecordProof,
} from './record-batch.ts';
export {
  type RecordEntry,
  recordLeaf,
  signRecordEntry,
  type UnsignedRecordEntry,
} from './record-entry.ts';
export { type StartEmbeddedChainOptions, startEmbeddedChain } from './start-embedded-chain.ts';
export { revertErrorName, sendContractTransaction } from './transact.ts';
export { verifyDeployment } from './verify-deployment.ts';
export {
  type RecordFault,
  type RecordInclusion,
  recordFaults,
  verifyRecordInclusion,
} from './verify-record-inclusion.ts';
