// Public API of @aegle/node: the node's HTTP API over storage and chain.

export {
  type AuditEntryRow,
  AuditJournal,
  type AuditRelease,
  type AuditWriter,
} from './audit-journal.ts';
export { AuditJournalThread, AuditWriteError } from './audit-journal-thread.ts';
export { createChainHealth } from './chain/chain-health.ts';
export { createChainPermissions } from './chain/chain-permissions.ts';
export {
  type ChainRelayOptions,
  cidToBytes,
  createChainRelay,
  ForwardNotYetValidError,
} from './chain/chain-relay.ts';
export { reconcileOutbox } from './chain/reconcile-outbox.ts';
export { resolveBatchFromStore } from './chain/resolve-batch.ts';
export { type AegleNode, createNode, type NodeOptions } from './create-node.ts';
export {
  ApiError,
  ForbiddenError,
  IntentNotFoundError,
  InternalError,
  InvalidRequestError,
  InvalidSignatureError,
  NodeConfigError,
  NotGrantedError,
  PROBLEM_BASE,
  QuotaExceededApiError,
  RecordExistsError,
  RecordNotFoundError,
  SessionExpiredError,
  SignInRejectedError,
  UnauthorizedError,
  UploadNotFoundError,
  WriterNotAllowedError,
} from './errors.ts';
export {
  createNodeServer,
  type NodeServerOptions,
  REDACTED_LOG_PATHS,
} from './http/create-node-server.ts';
export { type Problem, problemOf } from './http/problem.ts';
export { WRAPPED_KEY_HEADER } from './http/record-routes.ts';
export {
  type AnchorPayload,
  type AuditPayload,
  buildMerkleBatch,
  leafOf,
  type MerkleBatch,
  proofFromHashes,
} from './merkle-batch.ts';
export { MerkleThread } from './merkle-thread.ts';
export type { ChainTargets, NodeContext } from './node-context.ts';
export { openNodeDatabase } from './open-node-database.ts';
export {
  type BatchView,
  type Inclusion,
  type IntentState,
  type IntentView,
  Outbox,
  type OutboxDepth,
} from './outbox.ts';
export { backoff, OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.ts';
export {
  BATCHED_KINDS,
  type ChainHealth,
  type ChainRelay,
  type Hex,
  type IntentKind,
  type OutboxIntent,
  type PermissionSource,
  type PutBatchObject,
  type ReadDecision,
  type RecordRef,
  type RelayBatch,
  type RelayStatus,
  type WriteDecision,
} from './ports.ts';
export { type NewRecord, RecordCatalog, type RecordMeta } from './record-catalog.ts';
export {
  type CommitRequest,
  commitRecord,
  GUARDIAN_PURPOSE,
  receiveUpload,
  type UploadQuery,
  type UploadReceipt,
} from './records-logic.ts';
export { type ForwardRequest, RELAY_KINDS, type RelayKind } from './relay-logic.ts';
export { SESSION_TOKEN_PREFIX, Sessions } from './sessions.ts';
export { SignIn, type SignInOptions } from './sign-in.ts';
export {
  DEFAULT_NODE_PORT,
  type RunningNode,
  type StartNodeOptions,
  startNode,
} from './start-node.ts';
export { type Upload, Uploads } from './uploads.ts';
