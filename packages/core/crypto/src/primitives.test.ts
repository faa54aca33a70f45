// Every primitive this package relies on, checked against its specification's test vectors, so
// a broken or swapped dependency fails here and not silently in a file format.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from './bytes.ts';
import { createSegmentCipher as createNodeCipher } from './envelope/segment-cipher-node.ts';
import { createSegmentCipher as createWebCryptoCipher } from './envelope/segment-cipher-webcrypto.ts';
import { aesGcmOpen, aesGcmSeal } from './keystore/aes-gcm.ts';

test('keccak-256 of the empty string and of "abc" (Keccak team / Ethereum)', () => {
  assert.equal(
    bytesToHex(keccak_256(new Uint8Array(0))),
    'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
  );
  assert.equal(
    bytesToHex(keccak_256(utf8ToBytes('abc'))),
    '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45',
  );
});

test('SHA-256 of "abc" (FIPS 180-2 appendix B.1)', () => {
  assert.equal(
    bytesToHex(sha256(utf8ToBytes('abc'))),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});

test('HKDF-SHA256: RFC 5869 test case 1', () => {
  const okm = hkdf(
    sha256,
    hexToBytes('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'),
    hexToBytes('000102030405060708090a0b0c'),
    hexToBytes('f0f1f2f3f4f5f6f7f8f9'),
    42,
  );
  assert.equal(
    bytesToHex(okm),
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  );
});

test('scrypt: RFC 7914 section 12, the two cheap vectors', async () => {
  const one = await scryptAsync('', '', { N: 16, r: 1, p: 1, dkLen: 64 });
  assert.equal(
    bytesToHex(one),
    '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906',
  );
  const two = await scryptAsync('password', 'NaCl', { N: 1024, r: 8, p: 16, dkLen: 64 });
  assert.equal(
    bytesToHex(two),
    'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
  );
});

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 96-bit IV,
// 60-byte plaintext, 20-byte AAD); NIST SP 800-38D uses the same values.
const GCM16 = {
  key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
  iv: 'cafebabefacedbaddecaf888',
  plaintext:
    'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
  aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
  ciphertext:
    '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
  tag: '76fc6ece0f4e1768cddf8853bb2d551b',
};

test('AES-256-GCM test case 16 through both segment ciphers (node:crypto and WebCrypto)', async () => {
  for (const create of [createNodeCipher, createWebCryptoCipher]) {
    const cipher = await create(hexToBytes(GCM16.key));
    const sealed = concatBytes(
      ...(await cipher.seal(
        hexToBytes(GCM16.iv),
        hexToBytes(GCM16.plaintext),
        hexToBytes(GCM16.aad),
      )),
    );
    assert.equal(bytesToHex(sealed), GCM16.ciphertext + GCM16.tag);
    const opened = await cipher.open(hexToBytes(GCM16.iv), sealed, hexToBytes(GCM16.aad));
    assert.equal(bytesToHex(opened ?? new Uint8Array(0)), GCM16.plaintext);
    const altered = sealed.slice();
    altered[0] = (altered[0] as number) ^ 1;
    assert.equal(
      await cipher.open(hexToBytes(GCM16.iv), altered, hexToBytes(GCM16.aad)),
      undefined,
    );
    assert.equal(await cipher.open(hexToBytes(GCM16.iv), sealed, new Uint8Array(0)), undefined);
  }
});

test('AES-256-GCM test case 16 through the keystore helpers', async () => {
  const key = hexToBytes(GCM16.key);
  const sealed = await aesGcmSeal(
    key,
    hexToBytes(GCM16.iv),
    hexToBytes(GCM16.plaintext),
    hexToBytes(GCM16.aad),
  );
  assert.equal(bytesToHex(sealed), GCM16.ciphertext + GCM16.tag);
  const opened = await aesGcmOpen(key, hexToBytes(GCM16.iv), sealed, hexToBytes(GCM16.aad));
  assert.equal(bytesToHex(opened ?? new Uint8Array(0)), GCM16.plaintext);
  assert.equal(await aesGcmOpen(key, hexToBytes(GCM16.iv), sealed, hexToBytes('00')), undefined);
});
