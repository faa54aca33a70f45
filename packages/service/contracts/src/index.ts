// Public API of @aegle/contracts: the compiled artifacts (ABI `as const` + bytecode) of every
// Aegle contract, and the compiler entry point the build script and the staleness test share.
export { accountsAbi, accountsBytecode } from './artifacts/Accounts.ts';
export { aegleForwarderAbi, aegleForwarderBytecode } from './artifacts/AegleForwarder.ts';
export { auditLogAbi, auditLogBytecode } from './artifacts/AuditLog.ts';
export { certificationAbi, certificationBytecode } from './artifacts/Certification.ts';
export { consentsAbi, consentsBytecode } from './artifacts/Consents.ts';
export { medTokenAbi, medTokenBytecode } from './artifacts/MedToken.ts';
export { naiveAnchorAbi, naiveAnchorBytecode } from './artifacts/NaiveAnchor.ts';
export { recordsAbi, recordsBytecode } from './artifacts/Records.ts';
export {
  type CompiledArtifact,
  compileContracts,
  compilerSettings,
  SolidityCompileError,
} from './compile.ts';
