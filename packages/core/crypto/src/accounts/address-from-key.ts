import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '../bytes.ts';
import { InvalidPrivateKeyError, InvalidPublicKeyError } from '../errors.ts';
import type { Address } from './account.ts';
import { toChecksumAddress } from './checksum-address.ts';

/** Throws `InvalidPrivateKeyError` unless `key` is a valid secp256k1 secret key (1 ≤ k < n). */
export function assertSigningPrivateKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new InvalidPrivateKeyError('signing', 'must be 32 bytes');
  }
  if (!secp256k1.utils.isValidSecretKey(key)) {
    throw new InvalidPrivateKeyError('signing', 'outside the secp256k1 range');
  }
}

/**
 * The Ethereum address of a secp256k1 public key (33-byte compressed or 65-byte uncompressed):
 * the last 20 bytes of keccak256 of the uncompressed point without its 0x04 prefix.
 */
export function addressFromPublicKey(publicKey: Uint8Array): Address {
  let uncompressed: Uint8Array;
  try {
    uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  } catch {
    throw new InvalidPublicKeyError('signing', 'not a secp256k1 point');
  }
  const hash = keccak_256(uncompressed.subarray(1));
  return toChecksumAddress(`0x${bytesToHex(hash.subarray(12))}`);
}

/** The EIP-55 checksummed Ethereum address of a secp256k1 private key. */
export function addressFromPrivateKey(privateKey: Uint8Array): Address {
  assertSigningPrivateKey(privateKey);
  return addressFromPublicKey(secp256k1.getPublicKey(privateKey, false));
}
