// Public API of @aegle/sdk. Runs in Node and in browsers: nothing here imports node:*.

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
