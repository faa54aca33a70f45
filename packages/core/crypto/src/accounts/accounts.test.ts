import assert from 'node:assert/strict';
import { test } from 'node:test';
import { x25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '../bytes.ts';
import { InvalidAddressError, InvalidPrivateKeyError, InvalidPublicKeyError } from '../errors.ts';
import { addressFromPrivateKey, addressFromPublicKey } from './address-from-key.ts';
import { isChecksumAddress, toChecksumAddress } from './checksum-address.ts';
import { accountFromPrivateKeys, createAccount } from './create-account.ts';
import { encryptionPublicKeyFromPrivateKey } from './encryption-key.ts';

test('private key → address: published pairs (key 1, anvil account 0)', () => {
  assert.equal(
    addressFromPrivateKey(
      hexToBytes('0000000000000000000000000000000000000000000000000000000000000001'),
    ),
    '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf',
  );
  assert.equal(
    addressFromPrivateKey(
      hexToBytes('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'),
    ),
    '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  );
  // web3.py documentation key.
  assert.equal(
    addressFromPrivateKey(
      hexToBytes('4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'),
    ),
    '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  );
});

test('the address of a compressed and an uncompressed public key is the same', () => {
  const key = hexToBytes('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
  assert.equal(
    addressFromPublicKey(secp256k1.getPublicKey(key, true)),
    '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  );
  assert.equal(
    addressFromPublicKey(secp256k1.getPublicKey(key, false)),
    '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  );
  assert.throws(() => addressFromPublicKey(new Uint8Array(33)), InvalidPublicKeyError);
});

test('EIP-55: the test cases of the EIP', () => {
  const cases = [
    // All caps, all lower, then mixed case: from EIP-55 "Test Cases".
    '0x52908400098527886E0F7030069857D2E4169EE7',
    '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
    '0xde709f2102306220921060314715629080e2fb77',
    '0x27b1fdb04752bbc536007a920d24acb045561c26',
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ];
  for (const address of cases) {
    assert.equal(toChecksumAddress(address.toLowerCase()), address);
    assert.equal(isChecksumAddress(address), true);
  }
});

test('a mixed-case address with one letter in the wrong case is refused', () => {
  assert.throws(
    () => toChecksumAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'),
    InvalidAddressError,
  );
  assert.equal(isChecksumAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'), false);
  assert.equal(isChecksumAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'), false);
  assert.throws(
    () => toChecksumAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA'),
    InvalidAddressError,
  );
  assert.throws(
    () => toChecksumAddress('5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'),
    InvalidAddressError,
  );
});

test('RFC 7748 section 6.1: encryption public keys of Alice and Bob, and their shared secret', () => {
  const alice = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const bob = hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
  const alicePublic = encryptionPublicKeyFromPrivateKey(alice);
  const bobPublic = encryptionPublicKeyFromPrivateKey(bob);
  assert.equal(
    bytesToHex(alicePublic),
    '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  );
  assert.equal(
    bytesToHex(bobPublic),
    'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  );
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  assert.equal(bytesToHex(x25519.getSharedSecret(alice, bobPublic)), shared);
  assert.equal(bytesToHex(x25519.getSharedSecret(bob, alicePublic)), shared);
});

test('RFC 7748 section 5.2: X25519 scalar multiplication vectors', () => {
  const vectors = [
    [
      'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
      'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
      'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    ],
    [
      '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
      'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
      '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
    ],
  ] as const;
  for (const [scalar, u, out] of vectors) {
    assert.equal(bytesToHex(x25519.scalarMult(hexToBytes(scalar), hexToBytes(u))), out);
  }
});

test('createAccount makes independent signing and encryption keys, consistent with their public parts', () => {
  const a = createAccount();
  const b = createAccount();
  assert.notEqual(a.address, b.address);
  assert.equal(a.signingPrivateKey.length, 32);
  assert.equal(a.encryptionPrivateKey.length, 32);
  assert.notDeepEqual(a.signingPrivateKey, a.encryptionPrivateKey);
  assert.equal(isChecksumAddress(a.address), true);
  assert.equal(a.address, addressFromPrivateKey(a.signingPrivateKey));
  assert.deepEqual(
    a.encryptionPublicKey,
    encryptionPublicKeyFromPrivateKey(a.encryptionPrivateKey),
  );
  assert.deepEqual(accountFromPrivateKeys(a), a);
});

test('invalid private keys are refused with a typed error that does not echo the key', () => {
  const zero = new Uint8Array(32);
  const order = hexToBytes('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
  for (const key of [zero, order, new Uint8Array(31).fill(1)]) {
    assert.throws(
      () => addressFromPrivateKey(key),
      (error: unknown) => {
        assert.ok(error instanceof InvalidPrivateKeyError);
        assert.equal(error.name, 'InvalidPrivateKeyError');
        assert.ok(error.hint);
        assert.doesNotMatch(error.message, /fffffffffffffffffffffffffffffffebaaedce6/);
        return true;
      },
    );
  }
  assert.throws(
    () => encryptionPublicKeyFromPrivateKey(new Uint8Array(16)),
    InvalidPrivateKeyError,
  );
});
