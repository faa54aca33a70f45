import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex } from '../bytes.ts';
import { InvalidDataKeyError, InvalidStreamOptionError } from '../errors.ts';
import { generateDataKey } from './data-key.ts';
import { decryptStream } from './decrypt-stream.ts';
import { encryptStream } from './encrypt-stream.ts';
import { DEFAULT_SEGMENT_SIZE, HEADER_LENGTH } from './format.ts';
import { ciphertextLength, plaintextLength } from './stream-length.ts';
import { chunked, collect, patternBytes } from './streams.testing.ts';

const S = DEFAULT_SEGMENT_SIZE;

async function roundTrip(plaintext: Uint8Array, chunkSizes?: number[], segmentSize?: number) {
  const dek = generateDataKey();
  const ciphertext = await collect(
    encryptStream(chunked(plaintext, chunkSizes), dek, { segmentSize }),
  );
  assert.equal(ciphertext.length, ciphertextLength(plaintext.length, segmentSize));
  assert.equal(plaintextLength(ciphertext.length, segmentSize), plaintext.length);
  const decrypted = await collect(decryptStream(chunked(ciphertext, [7919, 1, 65536]), dek));
  assert.equal(decrypted.length, plaintext.length);
  assert.ok(Buffer.from(decrypted).equals(Buffer.from(plaintext)), 'plaintext differs');
  return ciphertext;
}

test('round trips at 0 B, 1 B, segment size -1, segment size, segment size +1', async () => {
  for (const length of [0, 1, S - 1, S, S + 1]) {
    await roundTrip(patternBytes(length, length + 1));
  }
});

test('round trip of a few MB with odd input chunking', async () => {
  const plaintext = patternBytes(3 * 1024 * 1024 + 17, 99);
  await roundTrip(plaintext, [1, 7, 65535, 65537, 200_003, 13, 1_000_000]);
});

test('round trips with a small custom segment size', async () => {
  for (const length of [0, 15, 16, 17, 1000]) await roundTrip(patternBytes(length), [3, 5], 16);
});

test('the header is magic "AEGL", version 1, u32 segment size, then salt, nonce prefix and commitment', async () => {
  const dek = generateDataKey();
  const chunks: Uint8Array[] = [];
  for await (const chunk of encryptStream(chunked(patternBytes(200_000)), dek)) chunks.push(chunk);
  const header = chunks[0] as Uint8Array;
  assert.equal(header.length, HEADER_LENGTH);
  assert.equal(bytesToHex(header.subarray(0, 9)), '4145474c' + '01' + '00010000');
  // Sealed segments follow: 64 KiB + tag, 64 KiB + tag, 64 KiB + tag, rest + tag. A segment may
  // come as body and tag apart, but no chunk straddles two segments.
  const boundaries = [S + 16, S + 16, S + 16, 200_000 - 3 * S + 16].map((_, i, all) =>
    all.slice(0, i + 1).reduce((a, b) => a + b, 0),
  );
  const ends: number[] = [];
  let offset = 0;
  for (const chunk of chunks.slice(1)) {
    offset += chunk.length;
    ends.push(offset);
  }
  for (const boundary of boundaries)
    assert.ok(ends.includes(boundary), `a chunk ends at ${boundary}`);
  assert.equal(offset, boundaries.at(-1));
});

test('the same plaintext and key give different ciphertexts (fresh salt and nonce prefix)', async () => {
  const dek = generateDataKey();
  const plaintext = patternBytes(1000);
  const a = await collect(encryptStream(chunked(plaintext), dek));
  const b = await collect(encryptStream(chunked(plaintext), dek));
  assert.notDeepEqual(a.subarray(9, 48), b.subarray(9, 48));
  assert.notDeepEqual(a.subarray(HEADER_LENGTH), b.subarray(HEADER_LENGTH));
});

test('encryption streams: output starts before the source ends, and stopping early releases the source', async () => {
  let produced = 0;
  let released = false;
  async function* endless() {
    try {
      for (;;) {
        produced += 1;
        yield new Uint8Array(1024);
      }
    } finally {
      released = true;
    }
  }
  let segments = 0;
  for await (const _ of encryptStream(endless(), generateDataKey(), { segmentSize: 4096 })) {
    if (++segments === 10) break;
  }
  // 9 segments of 4 KiB need 36 chunks of 1 KiB, plus one of look-ahead: memory stays bounded.
  assert.ok(produced <= 40, `read ${produced} chunks for 9 segments`);
  assert.equal(released, true);
});

test('decryption streams: each segment is yielded before later ones are read', async () => {
  const dek = generateDataKey();
  const ciphertext = await collect(
    encryptStream(chunked(patternBytes(10 * 1024)), dek, { segmentSize: 1024 }),
  );
  let offered = 0;
  async function* counting() {
    for await (const chunk of chunked(ciphertext, [100])) {
      offered += chunk.length;
      yield chunk;
    }
  }
  const iterator = decryptStream(counting(), dek);
  const first = await iterator.next();
  assert.equal(first.value?.length, 1024);
  // Header + segment 0 + one byte of look-ahead, rounded up to the 100-byte chunks.
  assert.ok(offered <= HEADER_LENGTH + 2 * 1040 + 100, `read ${offered} bytes to yield segment 0`);
  await iterator.return();
});

test('bad keys and options are refused before any output', async () => {
  await assert.rejects(
    collect(encryptStream(chunked(new Uint8Array(1)), new Uint8Array(16))),
    InvalidDataKeyError,
  );
  await assert.rejects(
    collect(decryptStream(chunked(new Uint8Array(100)), new Uint8Array(31))),
    InvalidDataKeyError,
  );
  for (const segmentSize of [0, 15, 1.5, 16 * 1024 * 1024 + 1]) {
    await assert.rejects(
      collect(encryptStream(chunked(new Uint8Array(1)), generateDataKey(), { segmentSize })),
      InvalidStreamOptionError,
    );
  }
});

test('generateDataKey gives 32 fresh random bytes', () => {
  const a = generateDataKey();
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, generateDataKey());
});
