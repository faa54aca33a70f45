import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Account } from './account.ts';
import { addressFromPrivateKey } from './address-from-key.ts';
import {
  encryptionPublicKeyFromPrivateKey,
  generateEncryptionPrivateKey,
} from './encryption-key.ts';

/** Creates an account with a fresh signing key and a fresh, independent encryption key pair. */
export function createAccount(): Account {
  return accountFromPrivateKeys({
    signingPrivateKey: secp256k1.utils.randomSecretKey(),
    encryptionPrivateKey: generateEncryptionPrivateKey(),
  });
}

/** Rebuilds an account (address, public key) from its two private keys, validating both. */
export function accountFromPrivateKeys(keys: {
  signingPrivateKey: Uint8Array;
  encryptionPrivateKey: Uint8Array;
}): Account {
  return {
    address: addressFromPrivateKey(keys.signingPrivateKey),
    signingPrivateKey: keys.signingPrivateKey,
    encryptionPrivateKey: keys.encryptionPrivateKey,
    encryptionPublicKey: encryptionPublicKeyFromPrivateKey(keys.encryptionPrivateKey),
  };
}
