// Public API of @aegle/crypto. Anything not exported here is internal and may change.

// Accounts
export type { Account, Address } from './accounts/account.ts';
export { addressFromPrivateKey, addressFromPublicKey } from './accounts/address-from-key.ts';
export { isChecksumAddress, toChecksumAddress } from './accounts/checksum-address.ts';
export { accountFromPrivateKeys, createAccount } from './accounts/create-account.ts';
export {
  createSignerCheck,
  type SignerCheck,
  type SignerCheckOptions,
} from './accounts/create-signer-check.ts';
export {
  encryptionPublicKeyFromPrivateKey,
  generateEncryptionPrivateKey,
} from './accounts/encryption-key.ts';
export { recoverSigner } from './accounts/recover-signer.ts';
// Randomness
export { randomBytes } from './bytes.ts';
// Envelope encryption
export { generateDataKey } from './envelope/data-key.ts';
export { decryptStream } from './envelope/decrypt-stream.ts';
export { encryptBytes } from './envelope/encrypt-bytes.ts';
export { type EncryptStreamOptions, encryptStream } from './envelope/encrypt-stream.ts';
export {
  DEFAULT_SEGMENT_SIZE,
  HEADER_LENGTH,
  MAX_SEGMENT_SIZE,
  MIN_SEGMENT_SIZE,
} from './envelope/format.ts';
export { ciphertextLength, plaintextLength } from './envelope/stream-length.ts';
// Errors
export {
  InvalidAddressError,
  InvalidDataKeyError,
  InvalidKeystoreError,
  InvalidPrivateKeyError,
  InvalidPublicKeyError,
  InvalidStreamOptionError,
  InvalidWrappedKeyError,
  KeyUnwrapError,
  KeyWrapperReuseError,
  MalformedHeaderError,
  StreamTooLongError,
  TamperedSegmentError,
  TruncatedStreamError,
  UnsupportedVersionError,
  WrongKeyError,
  WrongPassphraseError,
} from './errors.ts';
// Keystores
export { decryptKeystore } from './keystore/decrypt-keystore.ts';
export {
  DEFAULT_SCRYPT_PARAMS,
  type EncryptKeystoreOptions,
  encryptKeystore,
} from './keystore/encrypt-keystore.ts';
export { importEthereumKeystoreV3 } from './keystore/import-ethereum-keystore-v3.ts';
export type { AegleKeystore, ScryptParams } from './keystore/keystore-format.ts';
// Key wrapping (HPKE)
export {
  createDataKeyWrapper,
  type DataKeyWrapper,
  KEYS_PER_ENCAPSULATION,
} from './wrap/data-key-wrapper.ts';
export { unwrapDataKey } from './wrap/unwrap-data-key.ts';
export { wrapDataKey } from './wrap/wrap-data-key.ts';
export {
  decodeWrappedDataKey,
  encodeWrappedDataKey,
  type WrappedDataKey,
} from './wrap/wrapped-data-key.ts';
