import { scryptAsync } from '@noble/hashes/scrypt.js';
import type { Account } from '../accounts/account.ts';
import { accountFromPrivateKeys } from '../accounts/create-account.ts';
import { bytesToHex, concatBytes, randomBytes } from '../bytes.ts';
import { aesGcmSeal } from './aes-gcm.ts';
import {
  type AegleKeystore,
  checkScryptParams,
  IV_LENGTH,
  KEYSTORE_CIPHER,
  KEYSTORE_DKLEN,
  KEYSTORE_FORMAT,
  KEYSTORE_VERSION,
  keystoreAssociatedData,
  passphraseCheck,
  SALT_LENGTH,
  type ScryptParams,
} from './keystore-format.ts';

/** scrypt cost for new keystores: N=2^17, r=8, p=1 (128 MiB, about a second), as geth's standard. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { n: 2 ** 17, r: 8, p: 1 };

export type EncryptKeystoreOptions = {
  /** Lower N only in tests: the passphrase is the only thing protecting the keys. */
  kdfParams?: Partial<ScryptParams>;
};

/**
 * Encrypts an account's two private keys under a passphrase: scrypt → AES-256-GCM, with every
 * public header field bound as associated data. Returns the JSON object to store.
 */
export async function encryptKeystore(
  account: Account,
  passphrase: string,
  options: EncryptKeystoreOptions = {},
): Promise<AegleKeystore> {
  // Re-derive the public parts so a malformed account object cannot produce a keystore whose
  // header disagrees with its keys.
  const checked = accountFromPrivateKeys(account);
  const scrypt = checkScryptParams({ ...DEFAULT_SCRYPT_PARAMS, ...options.kdfParams }, 'kdfParams');
  const salt = randomBytes(SALT_LENGTH);
  const iv = randomBytes(IV_LENGTH);
  const derivedKey = await scryptAsync(passphrase.normalize('NFKC'), salt, {
    N: scrypt.n,
    r: scrypt.r,
    p: scrypt.p,
    dkLen: KEYSTORE_DKLEN,
    maxmem: 2 ** 31,
  });
  const json: AegleKeystore = {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    address: checked.address,
    encryptionPublicKey: bytesToHex(checked.encryptionPublicKey),
    crypto: {
      kdf: 'scrypt',
      kdfparams: {
        n: scrypt.n,
        r: scrypt.r,
        p: scrypt.p,
        dklen: KEYSTORE_DKLEN,
        salt: bytesToHex(salt),
      },
      cipher: KEYSTORE_CIPHER,
      cipherparams: { iv: bytesToHex(iv) },
      ciphertext: '',
      check: bytesToHex(passphraseCheck(derivedKey)),
    },
  };
  const secret = concatBytes(checked.signingPrivateKey, checked.encryptionPrivateKey);
  const sealed = await aesGcmSeal(
    derivedKey.subarray(0, 32),
    iv,
    secret,
    keystoreAssociatedData(json),
  );
  json.crypto.ciphertext = bytesToHex(sealed);
  secret.fill(0);
  derivedKey.fill(0);
  return json;
}
