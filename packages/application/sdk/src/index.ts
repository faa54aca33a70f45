// Public API of @aegle/sdk. Runs in Node and in browsers: nothing here imports node:*.

// Records: prepare, upload, read and open records; wrap keys for readers.
export { KeyUnwrapError } from '@aegle/crypto';
// The high-level client: one account, one node, one chain (sign in, register, records, grants,
// guardians, audit), and the checks it runs against the chain.
export {
  type AddRecordInput,
  type AddRecordsItem,
  type AegleClient,
  type ClientDeployment,
  type CreateAegleClientOptions,
  createAegleClient,
  type GrantInput,
  type GrantView,
  labelText,
  type RecordVerification,
  type VerifiedAuditEntry,
} from './client/create-aegle-client.ts';
export {
  ClientConfigError,
  IntentFailedError,
  IntentTimeoutError,
  MissingRoleError,
  NotRegisteredError,
} from './client/errors.ts';
export { rootFromProof, standardLeaf } from './client/merkle-proof.ts';
export { decryptMetadataFor } from './client/metadata.ts';
export {
  type InclusionCheck,
  verifyAuditEntry,
  verifyRecordAnchor,
} from './client/verify-inclusion.ts';
// Identities: keys are created, stored encrypted and unlocked on the client only.
export { type CreateIdentityOptions, createIdentity } from './identity/create-identity.ts';
export {
  IdentityExistsError,
  InvalidIdentityFileError,
  InvalidIdentityNameError,
  InvalidRoleError,
  UnknownIdentityError,
} from './identity/errors.ts';
export { exportIdentity } from './identity/export-identity.ts';
export { assertIdentityName } from './identity/identity-name.ts';
export { type ImportIdentityOptions, importIdentity } from './identity/import-identity.ts';
export { type KeyStore, ROLES, type Role, type StoredIdentity } from './identity/key-store.ts';
export { MemoryKeyStore } from './identity/memory-key-store.ts';
export { assertRole } from './identity/role.ts';
export { unlockIdentity } from './identity/unlock-identity.ts';
export {
  IntegrityError,
  type IntegrityFailure,
  InvalidRecordOptionError,
  MissingWrappedKeyError,
} from './records/errors.ts';
export { removeKeysOfGrantee, wrapKeysForGrantee } from './records/grant-keys.ts';
export { type OpenedRecord, type OpenRecordOptions, openRecord } from './records/open-record.ts';
export {
  type KeyHolder,
  type PreparedRecord,
  type PrepareRecordOptions,
  prepareRecord,
  type SealedRecord,
  UploadIncompleteError,
} from './records/prepare-record.ts';
export type { OnProgress, Progress } from './records/progress.ts';
export { assertAnchorEntry, type ReadRecordOptions, readRecord } from './records/read-record.ts';
export {
  decryptMetadata,
  encryptMetadata,
  MAX_METADATA_BYTES,
  type RecordMetadata,
} from './records/record-metadata.ts';
export { sealSmallRecord } from './records/seal-small-record.ts';
export {
  type ContentRoot,
  computeContentRoot,
  DEFAULT_LEAF_SIZE,
  passThroughWithRoot,
  rootMatches,
} from './records/unixfs-root.ts';
export { uploadRecord } from './records/upload-record.ts';
export { type WrapForGranteeOptions, wrapForGrantee } from './records/wrap-for-grantee.ts';
export {
  BatchWriteError,
  batchBytesOf,
  DEFAULT_BATCH_LIMITS,
  writeInBatches,
} from './records/write-in-batches.ts';
export { resolveWriteRecipients } from './records/write-recipients.ts';
// Signing: anchor entries (EIP-712) and relayed calls (ERC-2771 forward requests).
export {
  encodeGrant,
  encodeRegister,
  encodeRevoke,
  encodeSetGuardian,
  type GrantTarget,
} from './signing/consent-calls.ts';
export type { AnchorEntry } from './signing/contracts.ts';
export {
  anchorEntryDigest,
  batchedEntryNonce,
  type RecordsDeployment,
  recoverAnchorEntrySigner,
  signAnchorEntry,
  type UnsignedAnchorEntry,
} from './signing/sign-anchor-entry.ts';
export {
  type ForwardRequestInput,
  type SignedForwardRequest,
  signForwardRequest,
} from './signing/sign-forward-request.ts';
// Transport: the node's API, typed errors, and what is read from the chain directly.
export {
  type ChainDirectory,
  createChainDirectory,
  type KeyDirectory,
  MissingEncryptionKeyError,
} from './transport/chain-directory.ts';
export { errorFromProblem, PROBLEM_BASE, type Problem } from './transport/error-from-problem.ts';
export {
  GrantExpiredError,
  NodeProblemError,
  NodeUnreachableError,
  NotFoundError,
  NotGrantedError,
  QuotaExceededError,
  RateLimitedError,
  SessionError,
  SignatureRejectedError,
  WriterNotAllowedError,
} from './transport/errors.ts';
export {
  createHttpTransport,
  type HttpTransport,
  type HttpTransportOptions,
  type NodeInfo,
  type Session,
  supportsRequestStreams,
  WRAPPED_KEY_HEADER,
} from './transport/http-transport.ts';
export {
  RATE_LIMIT_PATIENCE_MS,
  retryWhenRateLimited,
} from './transport/retry-when-rate-limited.ts';
export type {
  AnchorState,
  AuditEntryView,
  BatchLimits,
  BatchRecordInput,
  CommitInput,
  InclusionView,
  IntentView,
  Page,
  ReadResult,
  RecordSummary,
  RecordView,
  RelayKind,
  Transport,
  UploadInput,
  UploadReceipt,
  WrappedKeyFor,
} from './transport/transport.ts';
