import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { test } from 'node:test';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { createAccount } from '../accounts/create-account.ts';
import { hexToBytes } from '../bytes.ts';
import { generateDataKey } from '../envelope/data-key.ts';
import {
  InvalidDataKeyError,
  InvalidPublicKeyError,
  KeyUnwrapError,
  KeyWrapperReuseError,
} from '../errors.ts';
import { createDataKeyWrapper, KEYS_PER_ENCAPSULATION } from './data-key-wrapper.ts';
import { EXPORT_INFO, EXPORTED_KEY_FORMAT } from './hpke-suite.ts';
import { unwrapDataKey } from './unwrap-data-key.ts';
import { wrapDataKey } from './wrap-data-key.ts';
import { decodeWrappedDataKey, encodeWrappedDataKey } from './wrapped-data-key.ts';

const owner = createAccount();
const recordContext = (i: number) => `0x${i.toString(16).padStart(64, '0')}`;

test('many keys under one encapsulation: each unwraps for its own context only', async () => {
  const wrap = createDataKeyWrapper(owner.encryptionPublicKey);
  const keys = Array.from({ length: 20 }, () => generateDataKey());
  const wrapped = [];
  for (const [i, key] of keys.entries()) wrapped.push(await wrap(key, recordContext(i)));
  // One encapsulation: one enc for all of them, and the exported-key format.
  assert.equal(new Set(wrapped.map((w) => Buffer.from(w.enc).toString('hex'))).size, 1);
  for (const [i, w] of wrapped.entries()) {
    assert.equal(w.format, EXPORTED_KEY_FORMAT);
    assert.equal(w.wrapped.length, 48);
    // Through the serialised form, as the node stores it.
    const decoded = decodeWrappedDataKey(encodeWrappedDataKey(w));
    assert.equal(decoded.format, EXPORTED_KEY_FORMAT);
    assert.deepEqual(
      await unwrapDataKey(decoded, owner.encryptionPrivateKey, recordContext(i)),
      keys[i],
    );
    await assert.rejects(
      unwrapDataKey(decoded, owner.encryptionPrivateKey, recordContext(i + 1)),
      KeyUnwrapError,
    );
  }
  // Another recipient's key, an altered enc or sealed key, the other format's byte.
  const other = createAccount();
  const w = wrapped[3] as (typeof wrapped)[number];
  await assert.rejects(
    unwrapDataKey(w, other.encryptionPrivateKey, recordContext(3)),
    KeyUnwrapError,
  );
  const flipped = (bytes: Uint8Array, at: number) => {
    const copy = bytes.slice();
    copy[at] = (copy[at] as number) ^ 1;
    return copy;
  };
  for (const altered of [
    { ...w, enc: flipped(w.enc, 5) },
    { ...w, wrapped: flipped(w.wrapped, 0) },
    { ...w, wrapped: flipped(w.wrapped, 47) },
    { ...w, format: 1 as const },
  ]) {
    await assert.rejects(
      unwrapDataKey(altered, owner.encryptionPrivateKey, recordContext(3)),
      KeyUnwrapError,
    );
  }
});

test('the format is RFC 9180 secret export: another HPKE implementation opens it', async () => {
  // @hpke/core's own suite (WebCrypto throughout), not the one Aegle wraps with.
  const suite = new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes256Gcm(),
  });
  const wrap = createDataKeyWrapper(owner.encryptionPublicKey);
  const key = generateDataKey();
  const context = recordContext(7);
  const w = await wrap(key, context);
  const recipient = await suite.createRecipientContext({
    recipientKey: await suite.kem.importKey('raw', owner.encryptionPrivateKey, false),
    enc: w.enc,
    info: EXPORT_INFO,
  });
  const exported = Buffer.from(await recipient.export(new TextEncoder().encode(context), 32));
  const decipher = createDecipheriv('aes-256-gcm', exported, Buffer.alloc(12));
  decipher.setAAD(new TextEncoder().encode(context));
  decipher.setAuthTag(w.wrapped.subarray(32));
  const opened = Buffer.concat([decipher.update(w.wrapped.subarray(0, 32)), decipher.final()]);
  assert.deepEqual(new Uint8Array(opened), key);
});

test('a context is wrapped once per encapsulation; a full encapsulation is replaced', async () => {
  const wrap = createDataKeyWrapper(owner.encryptionPublicKey);
  const first = await wrap(generateDataKey(), recordContext(0));
  // Its exported key, and so its nonce, would repeat.
  await assert.rejects(wrap(generateDataKey(), recordContext(0)), KeyWrapperReuseError);
  for (let i = 1; i < KEYS_PER_ENCAPSULATION; i++) {
    const w = await wrap(generateDataKey(), recordContext(i));
    assert.deepEqual(w.enc, first.enc);
  }
  const next = await wrap(generateDataKey(), recordContext(0));
  assert.notDeepEqual(next.enc, first.enc);
  // Keys of both encapsulations open (the recipient keeps a few contexts).
  for (const w of [first, next]) {
    assert.equal((await unwrapDataKey(w, owner.encryptionPrivateKey, recordContext(0))).length, 32);
  }
});

test('bad inputs are refused with typed errors, low-order recipient keys included', async () => {
  assert.throws(() => createDataKeyWrapper(new Uint8Array(33)), InvalidPublicKeyError);
  await assert.rejects(
    createDataKeyWrapper(owner.encryptionPublicKey)(new Uint8Array(16), recordContext(1)),
    InvalidDataKeyError,
  );
  for (const low of [
    new Uint8Array(32),
    hexToBytes(`01${'00'.repeat(31)}`),
    hexToBytes('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
  ]) {
    await assert.rejects(
      createDataKeyWrapper(low)(generateDataKey(), recordContext(1)),
      InvalidPublicKeyError,
    );
  }
  // A per-key HPKE wrap and an exported one are told apart by their format byte.
  const single = await wrapDataKey(generateDataKey(), owner.encryptionPublicKey, recordContext(2));
  assert.equal(decodeWrappedDataKey(encodeWrappedDataKey(single)).format, 1);
});
