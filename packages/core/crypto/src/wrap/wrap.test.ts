import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAccount } from '../accounts/create-account.ts';
import { encryptionPublicKeyFromPrivateKey } from '../accounts/encryption-key.ts';
import { bytesToHex, hexToBytes } from '../bytes.ts';
import { generateDataKey } from '../envelope/data-key.ts';
import { decryptStream } from '../envelope/decrypt-stream.ts';
import { encryptStream } from '../envelope/encrypt-stream.ts';
import { chunked, collect, patternBytes } from '../envelope/streams.testing.ts';
import {
  InvalidDataKeyError,
  InvalidPublicKeyError,
  InvalidWrappedKeyError,
  KeyUnwrapError,
} from '../errors.ts';
import { dataKeySuite } from './hpke-suite.ts';
import { type HpkeVector, loadHpkeVectors } from './hpke-vectors.testing.ts';
import { unwrapDataKey } from './unwrap-data-key.ts';
import { wrapDataKey } from './wrap-data-key.ts';
import { decodeWrappedDataKey, encodeWrappedDataKey } from './wrapped-data-key.ts';

const hpkeVectors = await loadHpkeVectors();

const owner = createAccount();
const context = 'aegle/dek/v1:record:bafy-example-1';

test('wrap → unwrap returns the data key; the wrapped form is 32 + 48 bytes', async () => {
  const dek = generateDataKey();
  const wrapped = await wrapDataKey(dek, owner.encryptionPublicKey, context);
  assert.equal(wrapped.enc.length, 32);
  assert.equal(wrapped.wrapped.length, 48);
  assert.deepEqual(await unwrapDataKey(wrapped, owner.encryptionPrivateKey, context), dek);
  // Byte contexts work the same as their UTF-8 string.
  assert.deepEqual(
    await unwrapDataKey(wrapped, owner.encryptionPrivateKey, new TextEncoder().encode(context)),
    dek,
  );
});

test('encrypt once, wrap for two recipients: both decrypt the same ciphertext', async () => {
  const doctor = createAccount();
  const plaintext = patternBytes(150_000, 3);
  const dek = generateDataKey();
  const ciphertext = await collect(encryptStream(chunked(plaintext), dek));
  const forOwner = await wrapDataKey(dek, owner.encryptionPublicKey, context);
  // Granting the doctor: wrap the same DEK again; the ciphertext is untouched.
  const forDoctor = await wrapDataKey(dek, doctor.encryptionPublicKey, context);
  assert.notDeepEqual(forOwner.enc, forDoctor.enc);
  for (const [wrapped, reader] of [
    [forOwner, owner],
    [forDoctor, doctor],
  ] as const) {
    const key = await unwrapDataKey(wrapped, reader.encryptionPrivateKey, context);
    assert.deepEqual(await collect(decryptStream(chunked(ciphertext), key)), plaintext);
  }
});

test("a wrong recipient key, another record's context, or an altered value → KeyUnwrapError", async () => {
  const dek = generateDataKey();
  const wrapped = await wrapDataKey(dek, owner.encryptionPublicKey, context);
  const stranger = createAccount();
  await assert.rejects(
    unwrapDataKey(wrapped, stranger.encryptionPrivateKey, context),
    KeyUnwrapError,
  );
  await assert.rejects(
    unwrapDataKey(wrapped, owner.encryptionPrivateKey, 'aegle/dek/v1:record:bafy-example-2'),
    KeyUnwrapError,
  );
  const altered = { enc: wrapped.enc, wrapped: wrapped.wrapped.slice() };
  altered.wrapped[0] = (altered.wrapped[0] as number) ^ 1;
  await assert.rejects(unwrapDataKey(altered, owner.encryptionPrivateKey, context), KeyUnwrapError);
  const otherEnc = {
    enc: (await wrapDataKey(dek, owner.encryptionPublicKey, context)).enc,
    wrapped: wrapped.wrapped,
  };
  await assert.rejects(
    unwrapDataKey(otherEnc, owner.encryptionPrivateKey, context),
    (error: unknown) => {
      assert.ok(error instanceof KeyUnwrapError);
      assert.equal(error.name, 'KeyUnwrapError');
      assert.ok(error.hint);
      return true;
    },
  );
});

test('bad inputs are refused with typed errors', async () => {
  await assert.rejects(
    wrapDataKey(new Uint8Array(16), owner.encryptionPublicKey, context),
    InvalidDataKeyError,
  );
  await assert.rejects(
    wrapDataKey(generateDataKey(), new Uint8Array(33), context),
    InvalidPublicKeyError,
  );
  // Low-order X25519 points (zero, one, a point of order 8): every shared secret with them is
  // all zero, so a key "wrapped" for one would be readable by anybody.
  for (const low of [
    new Uint8Array(32),
    hexToBytes(`01${'00'.repeat(31)}`),
    hexToBytes('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
  ]) {
    await assert.rejects(wrapDataKey(generateDataKey(), low, context), InvalidPublicKeyError);
  }
});

test('the serialised form round-trips and malformed values are refused', async () => {
  const wrapped = await wrapDataKey(generateDataKey(), owner.encryptionPublicKey, context);
  const encoded = encodeWrappedDataKey(wrapped);
  assert.match(encoded, /^0x01[0-9a-f]{160}$/);
  assert.deepEqual(decodeWrappedDataKey(encoded), { ...wrapped, format: 1 });
  for (const bad of [
    '',
    '0x',
    `${encoded}00`,
    encoded.slice(2),
    `0x03${encoded.slice(4)}`,
    `0x00${encoded.slice(4)}`,
    `${encoded.slice(0, -1)}g`,
  ]) {
    assert.throws(() => decodeWrappedDataKey(bad), InvalidWrappedKeyError, bad);
  }
});

test('X25519 keys from @noble/curves interoperate with @hpke/core DHKEM(X25519)', async () => {
  // For every CFRG vector, HPKE's DeriveKeyPair (RFC 9180 7.1.3) on ikmR gives skRm, and our
  // public key of skRm (noble x25519) must be HPKE's pkRm; the same for the ephemeral key.
  for (const vector of hpkeVectors) {
    const pair = await dataKeySuite.kem.deriveKeyPair(hexToBytes(vector.ikmR));
    const skRm = new Uint8Array(await dataKeySuite.kem.serializePrivateKey(pair.privateKey));
    assert.equal(bytesToHex(skRm), vector.skRm);
    assert.equal(bytesToHex(encryptionPublicKeyFromPrivateKey(skRm)), vector.pkRm);
    assert.equal(
      bytesToHex(encryptionPublicKeyFromPrivateKey(hexToBytes(vector.skEm))),
      vector.pkEm,
    );
  }
  // And a noble-made key pair wraps and unwraps through HPKE.
  const skRm = hexToBytes((hpkeVectors[0] as HpkeVector).skRm);
  const dek = generateDataKey();
  const wrapped = await wrapDataKey(dek, encryptionPublicKeyFromPrivateKey(skRm), context);
  assert.deepEqual(await unwrapDataKey(wrapped, skRm, context), dek);
});
