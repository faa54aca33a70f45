import { scryptAsync } from '@noble/hashes/scrypt.js';
import type { Account } from '../accounts/account.ts';
import { accountFromPrivateKeys } from '../accounts/create-account.ts';
import { bytesToHex, equalBytes } from '../bytes.ts';
import { InvalidKeystoreError, WrongPassphraseError } from '../errors.ts';
import { aesGcmOpen } from './aes-gcm.ts';
import {
  KEYSTORE_DKLEN,
  keystoreAssociatedData,
  parseKeystore,
  passphraseCheck,
} from './keystore-format.ts';

/**
 * Opens an Aegle keystore (the JSON object, or its text) with a passphrase.
 *
 * Throws `InvalidKeystoreError` naming the field for a malformed or edited file and
 * `WrongPassphraseError` for a wrong passphrase. The check value tells the two apart: if it
 * matches but the GCM tag does not, the passphrase was right and the file was altered.
 */
export async function decryptKeystore(keystore: unknown, passphrase: string): Promise<Account> {
  let value = keystore;
  if (typeof keystore === 'string') {
    try {
      value = JSON.parse(keystore);
    } catch {
      throw new InvalidKeystoreError('(root)', 'is not valid JSON');
    }
  }
  const parsed = parseKeystore(value);
  const derivedKey = await scryptAsync(passphrase.normalize('NFKC'), parsed.salt, {
    N: parsed.scrypt.n,
    r: parsed.scrypt.r,
    p: parsed.scrypt.p,
    dkLen: KEYSTORE_DKLEN,
    maxmem: 2 ** 31,
  });
  const checkMatches = equalBytes(passphraseCheck(derivedKey), parsed.check);
  const secret = await aesGcmOpen(
    derivedKey.subarray(0, 32),
    parsed.iv,
    parsed.ciphertext,
    keystoreAssociatedData(parsed.json),
  );
  derivedKey.fill(0);
  if (secret === undefined) {
    if (checkMatches)
      throw new InvalidKeystoreError('(header or crypto.ciphertext)', 'was altered');
    throw new WrongPassphraseError();
  }
  if (!checkMatches) throw new InvalidKeystoreError('crypto.check', 'was altered');
  const account = accountFromPrivateKeys({
    signingPrivateKey: secret.slice(0, 32),
    encryptionPrivateKey: secret.slice(32, 64),
  });
  secret.fill(0);
  // The tag already covers the header; this catches a keystore written by buggy code.
  if (account.address !== parsed.json.address) {
    throw new InvalidKeystoreError('address', 'does not match the signing key');
  }
  if (bytesToHex(account.encryptionPublicKey) !== parsed.json.encryptionPublicKey) {
    throw new InvalidKeystoreError('encryptionPublicKey', 'does not match the encryption key');
  }
  return account;
}
