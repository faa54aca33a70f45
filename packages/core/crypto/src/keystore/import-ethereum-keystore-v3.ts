import { scryptAsync } from '@noble/hashes/scrypt.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Account } from '../accounts/account.ts';
import { accountFromPrivateKeys } from '../accounts/create-account.ts';
import { generateEncryptionPrivateKey } from '../accounts/encryption-key.ts';
import { concatBytes, equalBytes, parseHex, utf8ToBytes } from '../bytes.ts';
import { InvalidKeystoreError, InvalidPrivateKeyError, WrongPassphraseError } from '../errors.ts';
import { checkScryptParams, record } from './keystore-format.ts';

type Bytes = Uint8Array<ArrayBuffer>;

// PBKDF2 iteration cap: well above geth's 262144, low enough that a hostile file cannot hang us.
const MAX_PBKDF2_ITERATIONS = 10_000_000;

/**
 * Imports the signing key of a standard Ethereum keystore (Web3 Secret Storage v3: scrypt or
 * PBKDF2-HMAC-SHA256, AES-128-CTR, keccak-256 MAC), as geth, MetaMask and ethers write them.
 *
 * The returned account gets a FRESH encryption key pair: an Ethereum keystore has none. Save
 * it with `encryptKeystore`, or data wrapped for that key cannot be opened later.
 */
export async function importEthereumKeystoreV3(
  keystore: unknown,
  passphrase: string,
): Promise<Account> {
  let value = keystore;
  if (typeof keystore === 'string') {
    try {
      value = JSON.parse(keystore);
    } catch {
      throw new InvalidKeystoreError('(root)', 'is not valid JSON');
    }
  }
  const root = record(value, '(root)');
  if (root.version !== 3) throw new InvalidKeystoreError('version', 'must be 3');
  // Old geth files spell it "Crypto".
  const cryptoField = root.crypto === undefined && root.Crypto !== undefined ? 'Crypto' : 'crypto';
  const crypto = record(root[cryptoField], cryptoField);
  if (crypto.cipher !== 'aes-128-ctr')
    throw new InvalidKeystoreError(`${cryptoField}.cipher`, 'must be "aes-128-ctr"');
  const iv = hex(
    record(crypto.cipherparams, `${cryptoField}.cipherparams`).iv,
    16,
    `${cryptoField}.cipherparams.iv`,
  );
  const ciphertext = hex(crypto.ciphertext, undefined, `${cryptoField}.ciphertext`);
  const mac = hex(crypto.mac, 32, `${cryptoField}.mac`);
  const derivedKey = await deriveKey(crypto, cryptoField, utf8ToBytes(passphrase));

  // MAC = keccak256(derivedKey[16..32] || ciphertext): a mismatch means a wrong passphrase.
  if (!equalBytes(keccak_256(concatBytes(derivedKey.subarray(16, 32), ciphertext)), mac)) {
    throw new WrongPassphraseError();
  }
  const aesKey = await globalThis.crypto.subtle.importKey(
    'raw',
    derivedKey.slice(0, 16) as Bytes,
    'AES-CTR',
    false,
    ['decrypt'],
  );
  const signingPrivateKey = new Uint8Array(
    await globalThis.crypto.subtle.decrypt(
      { name: 'AES-CTR', counter: iv as Bytes, length: 128 },
      aesKey,
      ciphertext as Bytes,
    ),
  );
  derivedKey.fill(0);
  let account: Account;
  try {
    account = accountFromPrivateKeys({
      signingPrivateKey,
      encryptionPrivateKey: generateEncryptionPrivateKey(),
    });
  } catch (error) {
    if (error instanceof InvalidPrivateKeyError) {
      throw new InvalidKeystoreError(
        `${cryptoField}.ciphertext`,
        'does not hold a secp256k1 private key',
      );
    }
    throw error;
  }
  if (
    typeof root.address === 'string' &&
    root.address.replace(/^0x/, '').toLowerCase() !== account.address.slice(2).toLowerCase()
  ) {
    throw new InvalidKeystoreError('address', 'does not match the decrypted key');
  }
  return account;
}

async function deriveKey(
  crypto: Record<string, unknown>,
  cryptoField: string,
  password: Uint8Array,
): Promise<Uint8Array> {
  const field = `${cryptoField}.kdfparams`;
  const params = record(crypto.kdfparams, field);
  const dklen = params.dklen;
  if (!Number.isSafeInteger(dklen) || (dklen as number) < 32 || (dklen as number) > 64) {
    throw new InvalidKeystoreError(`${field}.dklen`, 'must be from 32 to 64');
  }
  const salt = hex(params.salt, undefined, `${field}.salt`);
  if (crypto.kdf === 'scrypt') {
    const { n, r, p } = checkScryptParams(
      { n: params.n as number, r: params.r as number, p: params.p as number },
      field,
    );
    return scryptAsync(password, salt, { N: n, r, p, dkLen: dklen as number, maxmem: 2 ** 31 });
  }
  if (crypto.kdf === 'pbkdf2') {
    if (params.prf !== 'hmac-sha256')
      throw new InvalidKeystoreError(`${field}.prf`, 'must be "hmac-sha256"');
    const c = params.c;
    if (!Number.isSafeInteger(c) || (c as number) < 1 || (c as number) > MAX_PBKDF2_ITERATIONS) {
      throw new InvalidKeystoreError(`${field}.c`, `must be from 1 to ${MAX_PBKDF2_ITERATIONS}`);
    }
    // WebCrypto's PBKDF2 is native in Node and browsers: 262144 rounds in milliseconds.
    const key = await globalThis.crypto.subtle.importKey(
      'raw',
      password as Bytes,
      'PBKDF2',
      false,
      ['deriveBits'],
    );
    const bits = await globalThis.crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Bytes, iterations: c as number },
      key,
      (dklen as number) * 8,
    );
    return new Uint8Array(bits);
  }
  throw new InvalidKeystoreError(`${cryptoField}.kdf`, 'must be "scrypt" or "pbkdf2"');
}

function hex(value: unknown, length: number | undefined, field: string): Uint8Array {
  const bytes = parseHex(value, length);
  if (bytes === undefined || bytes.length === 0) {
    throw new InvalidKeystoreError(
      field,
      length ? `must be ${length * 2} hex digits` : 'must be hex',
    );
  }
  return bytes;
}
