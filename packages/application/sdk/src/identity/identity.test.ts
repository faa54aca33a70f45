import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decryptKeystore, WrongPassphraseError } from '@aegle/crypto';
import { createIdentity } from './create-identity.ts';
import { exportIdentity } from './export-identity.ts';
import { importIdentity } from './import-identity.ts';
import { MemoryKeyStore } from './memory-key-store.ts';
import { unlockIdentity } from './unlock-identity.ts';

// Cheap scrypt for tests only; the default (N=2^17) is what users get.
const cheap = { kdfParams: { n: 2 ** 4 } };

test('create stores only an encrypted keystore, and unlock gives back the same keys', async () => {
  const keyStore = new MemoryKeyStore();
  const { identity, account } = await createIdentity({
    name: 'alice',
    role: 'patient',
    passphrase: 'correct horse',
    keyStore,
    keystoreOptions: cheap,
  });
  assert.equal(identity.keystore.address, account.address);
  const stored = JSON.stringify(await keyStore.list());
  assert.ok(!stored.includes(Buffer.from(account.signingPrivateKey).toString('hex')));
  assert.ok(!stored.includes(Buffer.from(account.encryptionPrivateKey).toString('hex')));
  const unlocked = await unlockIdentity(keyStore, 'alice', 'correct horse');
  assert.deepEqual(unlocked.account.signingPrivateKey, account.signingPrivateKey);
  assert.deepEqual(unlocked.account.encryptionPrivateKey, account.encryptionPrivateKey);
  assert.equal(unlocked.identity.role, 'patient');
});

test('names, roles and duplicates are checked before anything is stored', async () => {
  const keyStore = new MemoryKeyStore();
  const base = { passphrase: 'p', keyStore, keystoreOptions: cheap };
  await assert.rejects(createIdentity({ ...base, name: 'Alice', role: 'patient' }), {
    name: 'InvalidIdentityNameError',
  });
  await assert.rejects(createIdentity({ ...base, name: '../x', role: 'patient' }), {
    name: 'InvalidIdentityNameError',
  });
  await assert.rejects(createIdentity({ ...base, name: 'kim', role: 'doctor' }), {
    name: 'InvalidRoleError',
  });
  await createIdentity({ ...base, name: 'kim', role: 'provider' });
  await assert.rejects(createIdentity({ ...base, name: 'kim', role: 'provider' }), {
    name: 'IdentityExistsError',
  });
  assert.deepEqual(
    (await keyStore.list()).map((i) => i.name),
    ['kim'],
  );
  await assert.rejects(unlockIdentity(keyStore, 'nobody', 'p'), { name: 'UnknownIdentityError' });
  await assert.rejects(unlockIdentity(keyStore, 'kim', 'wrong'), WrongPassphraseError);
});

test('export then import into another key store keeps name, role and keys', async () => {
  const from = new MemoryKeyStore();
  const { account } = await createIdentity({
    name: 'bob',
    role: 'patient',
    passphrase: 'pw',
    keyStore: from,
    keystoreOptions: cheap,
  });
  const text = await exportIdentity(from, 'bob');
  const to = new MemoryKeyStore();
  await assert.rejects(importIdentity({ keyStore: to, text, passphrase: 'nope' }), {
    name: 'WrongPassphraseError',
  });
  assert.equal((await to.list()).length, 0, 'a wrong passphrase stores nothing');
  const imported = await importIdentity({ keyStore: to, text, passphrase: 'pw' });
  assert.equal(imported.name, 'bob');
  assert.equal(imported.role, 'patient');
  const opened = await decryptKeystore(imported.keystore, 'pw');
  assert.equal(opened.address, account.address);
  await assert.rejects(importIdentity({ keyStore: to, text, passphrase: 'pw' }), {
    name: 'IdentityExistsError',
  });
  const renamed = await importIdentity({ keyStore: to, text, passphrase: 'pw', name: 'bob2' });
  assert.equal(renamed.name, 'bob2');
});

test('an Ethereum keystore v3 imports with a name and role, and gets an encryption key', async () => {
  // The PBKDF2 vector of the Web3 Secret Storage Definition: passphrase "testpassword".
  const v3 = JSON.stringify({
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
  });
  const keyStore = new MemoryKeyStore();
  await assert.rejects(importIdentity({ keyStore, text: v3, passphrase: 'testpassword' }), {
    name: 'InvalidIdentityFileError',
  });
  await assert.rejects(importIdentity({ keyStore, text: 'not json', passphrase: 'x' }), {
    name: 'InvalidIdentityFileError',
  });
  const identity = await importIdentity({
    keyStore,
    text: v3,
    passphrase: 'testpassword',
    newPassphrase: 'new pass',
    name: 'geth',
    role: 'provider',
    keystoreOptions: cheap,
  });
  assert.equal(identity.keystore.address, '0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b');
  const { account } = await unlockIdentity(keyStore, 'geth', 'new pass');
  assert.equal(account.address, identity.keystore.address);
  assert.equal(account.encryptionPublicKey.length, 32);
});
