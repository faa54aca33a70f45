import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex } from '../bytes.ts';
import { InvalidKeystoreError, WrongPassphraseError } from '../errors.ts';
import { importEthereumKeystoreV3 } from './import-ethereum-keystore-v3.ts';

// The two test vectors of the Web3 Secret Storage Definition (ethereum.org, "Test vectors"):
// passphrase "testpassword", private key 7a28…fe9d (address 0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b).
const PBKDF2_VECTOR = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    kdf: 'pbkdf2',
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: 'hmac-sha256',
      salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
    },
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

const SCRYPT_VECTOR = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
    ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
    kdf: 'scrypt',
    kdfparams: {
      dklen: 32,
      n: 262144,
      r: 1,
      p: 8,
      salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19',
    },
    mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

const PRIVATE_KEY = '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const ADDRESS = '0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b';

test('imports the PBKDF2 test vector of the Web3 Secret Storage Definition', async () => {
  const account = await importEthereumKeystoreV3(PBKDF2_VECTOR, 'testpassword');
  assert.equal(bytesToHex(account.signingPrivateKey), PRIVATE_KEY);
  assert.equal(account.address, ADDRESS);
});

test('imports the scrypt test vector (also as JSON text, with geth\'s "address" field and "Crypto" spelling)', async () => {
  const account = await importEthereumKeystoreV3(SCRYPT_VECTOR, 'testpassword');
  assert.equal(bytesToHex(account.signingPrivateKey), PRIVATE_KEY);
  const { crypto, ...rest } = SCRYPT_VECTOR;
  const gethStyle = JSON.stringify({
    ...rest,
    Crypto: crypto,
    address: ADDRESS.slice(2).toLowerCase(),
  });
  assert.equal((await importEthereumKeystoreV3(gethStyle, 'testpassword')).address, ADDRESS);
});

test('an imported key gets a fresh encryption key pair each time', async () => {
  const a = await importEthereumKeystoreV3(PBKDF2_VECTOR, 'testpassword');
  const b = await importEthereumKeystoreV3(PBKDF2_VECTOR, 'testpassword');
  assert.equal(a.address, b.address);
  assert.notDeepEqual(a.encryptionPrivateKey, b.encryptionPrivateKey);
  assert.equal(a.encryptionPublicKey.length, 32);
});

test('a wrong passphrase fails the keccak MAC: WrongPassphraseError', async () => {
  await assert.rejects(
    importEthereumKeystoreV3(PBKDF2_VECTOR, 'testpassworD'),
    WrongPassphraseError,
  );
});

test('malformed or unsupported v3 files are refused naming the field', async () => {
  const cases: [unknown, string][] = [
    [{ ...PBKDF2_VECTOR, version: 4 }, 'version'],
    [
      { ...PBKDF2_VECTOR, crypto: { ...PBKDF2_VECTOR.crypto, cipher: 'aes-128-cbc' } },
      'crypto.cipher',
    ],
    [{ ...PBKDF2_VECTOR, crypto: { ...PBKDF2_VECTOR.crypto, kdf: 'argon2' } }, 'crypto.kdf'],
    [{ ...PBKDF2_VECTOR, crypto: { ...PBKDF2_VECTOR.crypto, mac: '00' } }, 'crypto.mac'],
    [
      {
        ...PBKDF2_VECTOR,
        crypto: {
          ...PBKDF2_VECTOR.crypto,
          kdfparams: { ...PBKDF2_VECTOR.crypto.kdfparams, prf: 'hmac-sha1' },
        },
      },
      'crypto.kdfparams.prf',
    ],
    [
      {
        ...PBKDF2_VECTOR,
        crypto: {
          ...PBKDF2_VECTOR.crypto,
          kdfparams: { ...PBKDF2_VECTOR.crypto.kdfparams, c: 1e12 },
        },
      },
      'crypto.kdfparams.c',
    ],
    [
      {
        ...SCRYPT_VECTOR,
        crypto: {
          ...SCRYPT_VECTOR.crypto,
          kdfparams: { ...SCRYPT_VECTOR.crypto.kdfparams, n: 2 ** 40 },
        },
      },
      'crypto.kdfparams.r',
    ],
    [{ ...PBKDF2_VECTOR, address: '0000000000000000000000000000000000000001' }, 'address'],
  ];
  for (const [value, field] of cases) {
    await assert.rejects(importEthereumKeystoreV3(value, 'testpassword'), (error: unknown) => {
      assert.ok(error instanceof InvalidKeystoreError, `${field}: ${String(error)}`);
      assert.equal(error.field, field);
      return true;
    });
  }
});
