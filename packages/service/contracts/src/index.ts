// Public API of @aegle/contracts: the compiled artifacts (ABI `as const` + bytecode) of every
// Aegle contract, the EIP-712 types, the anchor entry's digest and the Merkle leaf encodings
// clients need, and the Solidity enums. Browser-safe and light: the solc-js compiler is a
// separate entry point, `@aegle/contracts/compile`, used only by the build script and the
// staleness test.

export {
  type AnchorEntry,
  anchorEntryLeafEncoding,
  anchorEntryLeafValues,
  anchorEntryTypes,
  recordsDomain,
  recordsDomainName,
  recordsDomainVersion,
  type UnsignedAnchorEntry,
} from './anchor-entry.ts';
export {
  anchorEntryDigest,
  anchorEntryLeaf,
  anchorEntryStructHash,
} from './anchor-entry-digest.ts';
export { accountsAbi, accountsBytecode } from './artifacts/Accounts.ts';
export { aegleForwarderAbi, aegleForwarderBytecode } from './artifacts/AegleForwarder.ts';
export { auditLogAbi, auditLogBytecode } from './artifacts/AuditLog.ts';
export { certificationAbi, certificationBytecode } from './artifacts/Certification.ts';
export { consentsAbi, consentsBytecode } from './artifacts/Consents.ts';
export { medTokenAbi, medTokenBytecode } from './artifacts/MedToken.ts';
export { naiveAnchorAbi, naiveAnchorBytecode } from './artifacts/NaiveAnchor.ts';
export { recordsAbi, recordsBytecode } from './artifacts/Records.ts';
export { type AuditEntry, auditEntryLeafEncoding, auditEntryLeafValues } from './audit-entry.ts';
export { bytes32Label, LabelError } from './bytes32-label.ts';
export {
  BATCH_SIGNATURE_MAGIC,
  encodeEntryBatchSignature,
  entryBatchDigest,
  entryBatchLeaf,
  entryBatchRoot,
  entryBatchTree,
  entryBatchTypes,
  MAX_BATCH_PROOF_DEPTH,
  parseEntryBatchSignature,
  signedDigestOf,
  signedDigestsOf,
} from './entry-batch-signature.ts';
export { Fault, Role, roleIds, Scope } from './enums.ts';
export {
  forwarderDomain,
  forwarderDomainName,
  forwarderDomainVersion,
  forwardRequestTypes,
  type SignedForwardRequest,
} from './forward-request.ts';
export { standardMerkleTree } from './standard-merkle-tree.ts';
