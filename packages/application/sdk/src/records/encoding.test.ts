import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  base64ToBytes,
  base64ToBytesPortable,
  bytesToBase64,
  bytesToBase64Portable,
} from './encoding.ts';

test('base64: the Buffer path and the browsers path agree, both ways, for every length and offset', () => {
  const all = new Uint8Array(70_000);
  crypto.getRandomValues(all.subarray(0, 65_536));
  all.copyWithin(65_536, 0, 70_000 - 65_536);
  for (const length of [0, 1, 2, 3, 4, 5, 31, 32, 33, 3000, 0x8000, 0x8001, 65_537]) {
    const bytes = all.subarray(7, 7 + length);
    const text = bytesToBase64(bytes);
    assert.equal(text, bytesToBase64Portable(bytes), `${length}`);
    assert.equal(text, Buffer.from(bytes).toString('base64'));
    assert.deepEqual(base64ToBytes(text), bytes);
    assert.deepEqual(base64ToBytesPortable(text), bytes);
  }
});

test('base64 decoding takes the URL-safe alphabet and missing padding, as before', () => {
  const bytes = Uint8Array.from([0xfb, 0xff, 0xbf, 0x00, 0x10]);
  const standard = bytesToBase64(bytes);
  assert.equal(standard, '+/+/ABA=');
  for (const text of [standard, '-_-_ABA=', '-_-_ABA', '+/+/ABA']) {
    assert.deepEqual(base64ToBytes(text), bytes, text);
    assert.deepEqual(base64ToBytesPortable(text), bytes, text);
  }
});
