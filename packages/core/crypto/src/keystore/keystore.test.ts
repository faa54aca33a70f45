import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isChecksumAddress } from '../accounts/checksum-address.ts';
import { createAccount } from '../accounts/create-account.ts';
import { bytesToHex } from '../bytes.ts';
import { InvalidKeystoreError, WrongPassphraseError } from '../errors.ts';
import { decryptKeystore } from './decrypt-keystore.ts';
import { DEFAULT_SCRYPT_PARAMS, encryptKeystore } from './encrypt-keystore.ts';
import type { AegleKeystore } from './keystore-format.ts';

// Cheap scrypt for tests; one test below uses the production default.
const FAST = { kdfParams: { n: 2 ** 10 } };
const account = createAccount();
const keystore = await encryptKeystore(account, 'correct horse battery staple', FAST);

function edited(mutate: (copy: AegleKeystore) => void): AegleKeystore {
  const copy = structuredClone(keystore);
  mutate(copy);
  return copy;
}

async function rejectsWithField(
  value: unknown,
  field: string,
  passphrase = 'correct horse battery staple',
) {
  await assert.rejects(decryptKeystore(value, passphrase), (error: unknown) => {
    assert.ok(error instanceof InvalidKeystoreError, String(error));
    assert.equal(error.field, field);
    assert.ok(error.hint);
    return true;
  });
}

test('a keystore round-trips both private keys and holds only public data in clear', async () => {
  const opened = await decryptKeystore(keystore, 'correct horse battery staple');
  assert.deepEqual(opened, account);
  assert.equal(keystore.address, account.address);
  assert.equal(keystore.encryptionPublicKey, bytesToHex(account.encryptionPublicKey));
  assert.deepEqual(keystore.crypto.kdfparams.n, 1024);
  const text = JSON.stringify(keystore);
  assert.doesNotMatch(text, new RegExp(bytesToHex(account.signingPrivateKey)));
  assert.doesNotMatch(text, new RegExp(bytesToHex(account.encryptionPrivateKey)));
  // It survives serialisation as a file would.
  assert.deepEqual(await decryptKeystore(text, 'correct horse battery staple'), account);
});

test('two keystores of the same account differ (fresh salt and iv)', async () => {
  const again = await encryptKeystore(account, 'correct horse battery staple', FAST);
  assert.notEqual(again.crypto.kdfparams.salt, keystore.crypto.kdfparams.salt);
  assert.notEqual(again.crypto.ciphertext, keystore.crypto.ciphertext);
});

test('the default scrypt cost is N=2^17, r=8, p=1 and it round-trips', async () => {
  assert.deepEqual(DEFAULT_SCRYPT_PARAMS, { n: 131072, r: 8, p: 1 });
  const strong = await encryptKeystore(account, 'pw');
  assert.deepEqual(
    { n: strong.crypto.kdfparams.n, r: strong.crypto.kdfparams.r, p: strong.crypto.kdfparams.p },
    DEFAULT_SCRYPT_PARAMS,
  );
  assert.equal((await decryptKeystore(strong, 'pw')).address, account.address);
});

test('a wrong passphrase gives WrongPassphraseError, without the passphrase in the message', async () => {
  await assert.rejects(
    decryptKeystore(keystore, 'Correct horse battery staple'),
    (error: unknown) => {
      assert.ok(error instanceof WrongPassphraseError);
      assert.equal(error.name, 'WrongPassphraseError');
      assert.ok(error.hint);
      assert.doesNotMatch(error.message, /horse/);
      return true;
    },
  );
});

test('editing any bound header field is detected as tampering, not as a wrong passphrase', async () => {
  const other = createAccount();
  await rejectsWithField(
    edited((k) => {
      k.address = other.address;
    }),
    '(header or crypto.ciphertext)',
  );
  await rejectsWithField(
    edited((k) => {
      k.encryptionPublicKey = bytesToHex(other.encryptionPublicKey);
    }),
    '(header or crypto.ciphertext)',
  );
  await rejectsWithField(
    edited((k) => {
      k.crypto.cipherparams.iv = '00'.repeat(12);
    }),
    '(header or crypto.ciphertext)',
  );
  await rejectsWithField(
    edited((k) => {
      k.crypto.ciphertext = `${k.crypto.ciphertext.slice(0, -2)}00`;
    }),
    '(header or crypto.ciphertext)',
  );
  await rejectsWithField(
    edited((k) => {
      k.crypto.check = '00'.repeat(32);
    }),
    'crypto.check',
  );
});

test('editing the KDF parameters cannot be told from a wrong passphrase, and is refused', async () => {
  // They change the derived key itself; either way nothing decrypts.
  await assert.rejects(
    decryptKeystore(
      edited((k) => {
        k.crypto.kdfparams.n = 2048;
      }),
      'correct horse battery staple',
    ),
    WrongPassphraseError,
  );
});

test('malformed keystores name the offending field', async () => {
  await rejectsWithField('{not json', '(root)');
  await rejectsWithField([], '(root)');
  await rejectsWithField(
    edited((k) => Object.assign(k, { format: 'x' })),
    'format',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k, { version: 2 })),
    'version',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k, { address: k.address.toLowerCase() })),
    'address',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k, { encryptionPublicKey: 'zz' })),
    'encryptionPublicKey',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k, { crypto: null })),
    'crypto',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto, { kdf: 'pbkdf2' })),
    'crypto.kdf',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto.kdfparams, { n: 1000 })),
    'crypto.kdfparams.n',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto.kdfparams, { n: 2 ** 30 })),
    'crypto.kdfparams.r',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto.kdfparams, { p: 0 })),
    'crypto.kdfparams.p',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto.kdfparams, { dklen: 32 })),
    'crypto.kdfparams.dklen',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto.kdfparams, { salt: 'ab' })),
    'crypto.kdfparams.salt',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto, { cipher: 'aes-128-ctr' })),
    'crypto.cipher',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto.cipherparams, { iv: 'AB'.repeat(12) })),
    'crypto.cipherparams.iv',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto, { ciphertext: '' })),
    'crypto.ciphertext',
  );
  await rejectsWithField(
    edited((k) => Object.assign(k.crypto, { check: undefined })),
    'crypto.check',
  );
});

test('encryptKeystore refuses unusable scrypt parameters', async () => {
  await assert.rejects(
    encryptKeystore(account, 'pw', { kdfParams: { n: 3 } }),
    InvalidKeystoreError,
  );
  await assert.rejects(
    encryptKeystore(account, 'pw', { kdfParams: { p: 0 } }),
    InvalidKeystoreError,
  );
});

test('the address in a keystore is checksummed', () => {
  assert.equal(isChecksumAddress(keystore.address), true);
});
