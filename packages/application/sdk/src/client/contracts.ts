// What the client takes from @aegle/contracts beyond signing/contracts.ts: the ABIs it reads the
// chain with and the leaf encodings it checks proofs with.
export {
  accountsAbi,
  anchorEntryLeafEncoding,
  anchorEntryLeafValues,
  auditEntryLeafEncoding,
  auditEntryLeafValues,
  auditLogAbi,
  certificationAbi,
  consentsAbi,
  Role,
  recordsAbi,
  roleIds,
  Scope,
} from '@aegle/contracts';
