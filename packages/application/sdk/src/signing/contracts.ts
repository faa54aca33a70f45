// The one place the SDK takes anything from @aegle/contracts (EIP-712 definitions, ABIs, enums),
// so that what it signs and calls can never drift from the contracts. That package's entry point
// is browser-safe (the solc build is its separate `@aegle/contracts/compile` entry).
export {
  type AnchorEntry,
  accountsAbi,
  aegleForwarderAbi,
  anchorEntryDigest,
  anchorEntryTypes,
  bytes32Label,
  consentsAbi,
  encodeEntryBatchSignature,
  entryBatchDigest,
  entryBatchTree,
  forwarderDomain,
  forwardRequestTypes,
  Role,
  recordsDomain,
  Scope,
  type SignedForwardRequest,
  signedDigestOf,
  type UnsignedAnchorEntry,
} from '@aegle/contracts';
