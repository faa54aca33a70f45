// encryptBytes is encryptStream for a plaintext in memory: the same bytes, in one call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDataKey } from './data-key.ts';
import { decryptStream } from './decrypt-stream.ts';
import { encryptBytes } from './encrypt-bytes.ts';
import { encryptBytesWith } from './encrypt-bytes-with.ts';
import { encryptStreamWith } from './encrypt-stream-with.ts';
import { createSegmentCipher as createNodeCipher } from './segment-cipher-node.ts';
import { createSegmentCipher as createWebCryptoCipher } from './segment-cipher-webcrypto.ts';
import { ciphertextLength } from './stream-length.ts';
import { chunked, collect, patternBytes } from './streams.testing.ts';

const randomness = { salt: patternBytes(32, 3), noncePrefix: patternBytes(7, 4) };

test('encryptBytes writes what encryptStream writes, for every way a plaintext ends', async () => {
  const dek = generateDataKey();
  const size = 4096;
  // Empty, one byte, a segment less one, exactly one, one more, exactly three, and more.
  for (const length of [0, 1, size - 1, size, size + 1, 3 * size, 3 * size + 17]) {
    const plaintext = patternBytes(length, length + 9);
    for (const create of [createNodeCipher, createWebCryptoCipher]) {
      const options = { randomness, segmentSize: size };
      const streamed = await collect(
        encryptStreamWith(chunked(plaintext, [1000, 5000]), dek, options, create),
      );
      const whole = await encryptBytesWith(plaintext, dek, options, create);
      assert.deepEqual(whole, streamed, `length ${length}`);
      assert.equal(whole.length, ciphertextLength(length, size));
    }
  }
});

test('encryptBytes output decrypts with decryptStream, and only with its key', async () => {
  const dek = generateDataKey();
  const plaintext = patternBytes(70_001, 2);
  const ciphertext = await encryptBytes(plaintext, dek);
  assert.deepEqual(await collect(decryptStream(chunked(ciphertext, [777]), dek)), plaintext);
  await assert.rejects(collect(decryptStream(chunked(ciphertext, [777]), generateDataKey())), {
    name: 'WrongKeyError',
  });
  await assert.rejects(encryptBytes(plaintext, new Uint8Array(5)), { name: 'InvalidDataKeyError' });
  await assert.rejects(encryptBytes(plaintext, dek, { segmentSize: 3 }), {
    name: 'InvalidStreamOptionError',
  });
});
