import { x25519 } from '@noble/curves/ed25519.js';
import { InvalidPrivateKeyError } from '../errors.ts';

/** A fresh X25519 private key (32 random bytes), the kind HPKE DHKEM(X25519) uses. */
export function generateEncryptionPrivateKey(): Uint8Array {
  return x25519.utils.randomSecretKey();
}

/**
 * The X25519 public key of an encryption private key. Any 32 bytes are a valid X25519 private
 * key (RFC 7748 clamps them), so only the length is checked.
 */
export function encryptionPublicKeyFromPrivateKey(privateKey: Uint8Array): Uint8Array {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    throw new InvalidPrivateKeyError('encryption', 'must be 32 bytes');
  }
  return x25519.getPublicKey(privateKey);
}
