// Decryption refuses every kind of damage with a typed error, and never yields plaintext of a
// segment that did not authenticate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatBytes } from '../bytes.ts';
import {
  MalformedHeaderError,
  TamperedSegmentError,
  TruncatedStreamError,
  UnsupportedVersionError,
  WrongKeyError,
} from '../errors.ts';
import { generateDataKey } from './data-key.ts';
import { decryptStream } from './decrypt-stream.ts';
import { encryptStream } from './encrypt-stream.ts';
import { HEADER_LENGTH, MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE } from './format.ts';
import { chunked, collect, collectUntilError, patternBytes } from './streams.testing.ts';

// 64-byte segments: 5 full segments and a 10-byte last one (segments 0..5), 80 bytes sealed each.
const SEGMENT = 64;
const SEALED = SEGMENT + 16;
const plaintext = patternBytes(5 * SEGMENT + 10, 7);
const dek = generateDataKey();
const ciphertext = await encryptToBytes(plaintext, dek);
const LAST = 5;

async function encryptToBytes(bytes: Uint8Array, key: Uint8Array): Promise<Uint8Array> {
  return collect(encryptStream(chunked(bytes), key, { segmentSize: SEGMENT }));
}

function segmentAt(bytes: Uint8Array, index: number): Uint8Array {
  return bytes.subarray(HEADER_LENGTH + index * SEALED, HEADER_LENGTH + (index + 1) * SEALED);
}

function flipBit(bytes: Uint8Array, offset: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[offset] = (copy[offset] as number) ^ (1 << bit);
  return copy;
}

async function decryptFailure(bytes: Uint8Array, key = dek) {
  const { yielded, error } = await collectUntilError(decryptStream(chunked(bytes, [37]), key));
  assert.ok(error !== undefined, 'decryption should have failed');
  return { yielded, error };
}

async function assertTampered(bytes: Uint8Array, index: number) {
  const { yielded, error } = await decryptFailure(bytes);
  assert.ok(error instanceof TamperedSegmentError, String(error));
  assert.equal(error.segmentIndex, index);
  assert.ok(error.hint);
  // Exactly the segments before the damaged one came out, and they are authentic.
  assert.equal(yielded.length, index);
  assert.deepEqual(concatBytes(...yielded), plaintext.subarray(0, index * SEGMENT));
}

async function assertTruncated(bytes: Uint8Array) {
  const { error } = await decryptFailure(bytes);
  assert.ok(error instanceof TruncatedStreamError, String(error));
  assert.ok(error.hint);
}

test('the fixture decrypts intact', async () => {
  assert.deepEqual(await collect(decryptStream(chunked(ciphertext), dek)), plaintext);
});

test('a wrong key is reported as WrongKeyError before any segment', async () => {
  const { yielded, error } = await decryptFailure(ciphertext, generateDataKey());
  assert.ok(error instanceof WrongKeyError, String(error));
  assert.equal(yielded.length, 0);
});

test('one flipped bit in the first, a middle, or the last segment names that segment', async () => {
  await assertTampered(flipBit(ciphertext, HEADER_LENGTH + 3), 0);
  await assertTampered(flipBit(ciphertext, HEADER_LENGTH + 2 * SEALED + 40, 5), 2);
  await assertTampered(flipBit(ciphertext, HEADER_LENGTH + 2 * SEALED + SEGMENT + 2), 2); // in the tag
  await assertTampered(flipBit(ciphertext, HEADER_LENGTH + LAST * SEALED), LAST);
  await assertTampered(flipBit(ciphertext, ciphertext.length - 1, 7), LAST);
});

test('every single-bit flip in the header is refused with a header-level error, before any output', async () => {
  for (let offset = 0; offset < HEADER_LENGTH; offset++) {
    for (let bit = 0; bit < 8; bit++) {
      const { yielded, error } = await decryptFailure(flipBit(ciphertext, offset, bit));
      assert.equal(yielded.length, 0);
      if (offset < 4) {
        assert.ok(error instanceof MalformedHeaderError, `${offset}/${bit}: ${error}`);
        assert.equal(error.field, 'magic');
      } else if (offset === 4) {
        assert.ok(error instanceof UnsupportedVersionError, `${offset}/${bit}: ${error}`);
      } else if (offset < 9) {
        const size = new DataView(flipBit(ciphertext, offset, bit).buffer).getUint32(5);
        const inRange = size >= MIN_SEGMENT_SIZE && size <= MAX_SEGMENT_SIZE;
        assert.ok(
          error instanceof (inRange ? WrongKeyError : MalformedHeaderError),
          `${offset}/${bit}: ${error}`,
        );
      } else {
        // Salt, nonce prefix and commitment feed the commitment check.
        assert.ok(error instanceof WrongKeyError, `${offset}/${bit}: ${error}`);
      }
    }
  }
});

test('truncation at a segment boundary, inside a segment, or dropping the last segment', async () => {
  await assertTruncated(ciphertext.subarray(0, 0));
  await assertTruncated(ciphertext.subarray(0, 40)); // inside the header
  await assertTruncated(ciphertext.subarray(0, HEADER_LENGTH)); // no segment at all
  await assertTruncated(ciphertext.subarray(0, HEADER_LENGTH + 3 * SEALED)); // at a boundary
  await assertTruncated(ciphertext.subarray(0, HEADER_LENGTH + LAST * SEALED)); // last segment dropped
  await assertTruncated(ciphertext.subarray(0, HEADER_LENGTH + 2 * SEALED + 5)); // inside, < tag length left
  // Cut inside a segment with more than a tag's worth left: indistinguishable from an altered
  // segment, reported as such, with its index.
  await assertTampered(ciphertext.subarray(0, HEADER_LENGTH + 2 * SEALED + 40), 2);
  await assertTampered(ciphertext.subarray(0, ciphertext.length - 1), LAST);
});

test('a stream whose final segment is full still detects its last segment being dropped', async () => {
  const exact = patternBytes(3 * SEGMENT);
  const sealed = await encryptToBytes(exact, dek);
  assert.equal(sealed.length, HEADER_LENGTH + 3 * SEALED);
  assert.deepEqual(await collect(decryptStream(chunked(sealed, [SEALED]), dek)), exact);
  await assertTruncated(sealed.subarray(0, HEADER_LENGTH + 2 * SEALED));
});

test('data appended after the final segment is refused', async () => {
  const exact = patternBytes(3 * SEGMENT);
  const sealed = await encryptToBytes(exact, dek);
  const { error } = await decryptFailure(concatBytes(sealed, segmentAt(sealed, 2)));
  assert.ok(error instanceof TamperedSegmentError, String(error));
  assert.equal(error.segmentIndex, 2);
  assert.match(error.message, /data follows the final segment/);
});

test('reordered segments are refused at the first one out of place', async () => {
  const reordered = concatBytes(
    ciphertext.subarray(0, HEADER_LENGTH),
    segmentAt(ciphertext, 0),
    segmentAt(ciphertext, 2),
    segmentAt(ciphertext, 1),
    ciphertext.subarray(HEADER_LENGTH + 3 * SEALED),
  );
  await assertTampered(reordered, 1);
});

test('a header swapped in from another file: same DEK → segment 0 fails; another DEK → WrongKeyError', async () => {
  const sameKey = await encryptToBytes(plaintext, dek);
  await assertTampered(
    concatBytes(sameKey.subarray(0, HEADER_LENGTH), ciphertext.subarray(HEADER_LENGTH)),
    0,
  );
  const otherKey = await encryptToBytes(plaintext, generateDataKey());
  const { error } = await decryptFailure(
    concatBytes(otherKey.subarray(0, HEADER_LENGTH), ciphertext.subarray(HEADER_LENGTH)),
  );
  assert.ok(error instanceof WrongKeyError, String(error));
});

test('a segment swapped in from another file with the same DEK is refused', async () => {
  const other = await encryptToBytes(plaintext, dek); // same plaintext, same key, other stream
  const mixed = ciphertext.slice();
  mixed.set(segmentAt(other, 3), HEADER_LENGTH + 3 * SEALED);
  await assertTampered(mixed, 3);
});
