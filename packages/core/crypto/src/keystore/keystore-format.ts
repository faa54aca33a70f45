import { sha256 } from '@noble/hashes/sha2.js';
import type { Address } from '../accounts/account.ts';
import { isChecksumAddress } from '../accounts/checksum-address.ts';
import { parseHex, utf8ToBytes } from '../bytes.ts';
import { InvalidKeystoreError } from '../errors.ts';

export const KEYSTORE_FORMAT = 'aegle-keystore';
export const KEYSTORE_VERSION = 1;
export const KEYSTORE_CIPHER = 'aes-256-gcm';
/** scrypt output: 32 bytes of AES key, then 32 bytes whose SHA-256 is the passphrase check. */
export const KEYSTORE_DKLEN = 64;
export const SALT_LENGTH = 32;
export const IV_LENGTH = 12;
/** signing private key (32) || encryption private key (32), plus the 16-byte GCM tag. */
export const CIPHERTEXT_LENGTH = 64 + 16;

export type ScryptParams = { n: number; r: number; p: number };

/** The JSON an Aegle keystore file holds. Everything but `crypto.ciphertext` is public. */
export type AegleKeystore = {
  format: typeof KEYSTORE_FORMAT;
  version: typeof KEYSTORE_VERSION;
  address: Address;
  encryptionPublicKey: string;
  crypto: {
    kdf: 'scrypt';
    kdfparams: ScryptParams & { dklen: typeof KEYSTORE_DKLEN; salt: string };
    cipher: typeof KEYSTORE_CIPHER;
    cipherparams: { iv: string };
    ciphertext: string;
    check: string;
  };
};

/** The parsed, validated binary form of a keystore. */
export type ParsedKeystore = {
  json: AegleKeystore;
  encryptionPublicKey: Uint8Array;
  scrypt: ScryptParams;
  salt: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  check: Uint8Array;
};

// Upper bounds a keystore may ask for, so a hostile file cannot make us allocate or spin
// without limit: 1 GiB of scrypt memory (128·n·r bytes), parallelism 16.
const MAX_SCRYPT_MEMORY = 2 ** 30;
const MAX_SCRYPT_P = 16;

/** Throws `InvalidKeystoreError` (naming `field`) unless the scrypt parameters are sane. */
export function checkScryptParams(params: ScryptParams, field: string): ScryptParams {
  const { n, r, p } = params;
  if (!Number.isSafeInteger(n) || n < 2 || (n & (n - 1)) !== 0) {
    throw new InvalidKeystoreError(`${field}.n`, 'must be a power of two ≥ 2');
  }
  if (!Number.isSafeInteger(r) || r < 1 || 128 * n * r > MAX_SCRYPT_MEMORY) {
    throw new InvalidKeystoreError(`${field}.r`, 'must be ≥ 1 with 128·n·r ≤ 1 GiB');
  }
  if (!Number.isSafeInteger(p) || p < 1 || p > MAX_SCRYPT_P) {
    throw new InvalidKeystoreError(`${field}.p`, `must be from 1 to ${MAX_SCRYPT_P}`);
  }
  return { n, r, p };
}

/**
 * The associated data bound into the AES-GCM tag: the UTF-8 bytes of a JSON array of every
 * non-secret header field in a fixed order. Changing any of them (address, public key, KDF
 * parameters, iv) makes decryption fail, so a file cannot be relabelled to another identity.
 */
export function keystoreAssociatedData(json: AegleKeystore): Uint8Array {
  const { kdfparams } = json.crypto;
  return utf8ToBytes(
    JSON.stringify([
      json.format,
      json.version,
      json.address,
      json.encryptionPublicKey,
      json.crypto.kdf,
      kdfparams.n,
      kdfparams.r,
      kdfparams.p,
      kdfparams.dklen,
      kdfparams.salt,
      json.crypto.cipher,
      json.crypto.cipherparams.iv,
    ]),
  );
}

/** SHA-256 of the second half of the scrypt output: lets a wrong passphrase be named as such. */
export function passphraseCheck(derivedKey: Uint8Array): Uint8Array {
  return sha256(derivedKey.subarray(32, 64));
}

/** Validates the shape of a keystore JSON value; each failure names the offending field. */
export function parseKeystore(value: unknown): ParsedKeystore {
  const root = record(value, '(root)');
  if (root.format !== KEYSTORE_FORMAT)
    throw new InvalidKeystoreError('format', `must be "${KEYSTORE_FORMAT}"`);
  if (root.version !== KEYSTORE_VERSION)
    throw new InvalidKeystoreError('version', `must be ${KEYSTORE_VERSION}`);
  if (typeof root.address !== 'string' || !isChecksumAddress(root.address)) {
    throw new InvalidKeystoreError('address', 'must be an EIP-55 checksummed address');
  }
  const encryptionPublicKey = hex(root.encryptionPublicKey, 32, 'encryptionPublicKey');
  const crypto = record(root.crypto, 'crypto');
  if (crypto.kdf !== 'scrypt') throw new InvalidKeystoreError('crypto.kdf', 'must be "scrypt"');
  const kdfparams = record(crypto.kdfparams, 'crypto.kdfparams');
  if (kdfparams.dklen !== KEYSTORE_DKLEN) {
    throw new InvalidKeystoreError('crypto.kdfparams.dklen', `must be ${KEYSTORE_DKLEN}`);
  }
  const scrypt = checkScryptParams(
    { n: kdfparams.n as number, r: kdfparams.r as number, p: kdfparams.p as number },
    'crypto.kdfparams',
  );
  const salt = hex(kdfparams.salt, SALT_LENGTH, 'crypto.kdfparams.salt');
  if (crypto.cipher !== KEYSTORE_CIPHER)
    throw new InvalidKeystoreError('crypto.cipher', `must be "${KEYSTORE_CIPHER}"`);
  const cipherparams = record(crypto.cipherparams, 'crypto.cipherparams');
  const iv = hex(cipherparams.iv, IV_LENGTH, 'crypto.cipherparams.iv');
  const ciphertext = hex(crypto.ciphertext, CIPHERTEXT_LENGTH, 'crypto.ciphertext');
  const check = hex(crypto.check, 32, 'crypto.check');
  return { json: value as AegleKeystore, encryptionPublicKey, scrypt, salt, iv, ciphertext, check };
}

export function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidKeystoreError(field, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Lowercase hex without 0x of an exact length, as the keystore writes it. */
export function hex(value: unknown, length: number, field: string): Uint8Array {
  const bytes =
    typeof value === 'string' && /^[0-9a-f]*$/.test(value) ? parseHex(value, length) : undefined;
  if (bytes === undefined)
    throw new InvalidKeystoreError(field, `must be ${length * 2} lowercase hex digits`);
  return bytes;
}
