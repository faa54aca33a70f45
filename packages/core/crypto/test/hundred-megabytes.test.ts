// 100 MB through encrypt → decrypt as one pipeline, compared by hashing both sides: nothing
// ever holds the whole file, which is the point of the streaming format.
import assert from 'node:assert/strict';
import { createHash, randomFillSync } from 'node:crypto';
import { test } from 'node:test';
import { ciphertextLength, decryptStream, encryptStream, generateDataKey } from '@aegle/crypto';

const TOTAL = 100 * 1024 * 1024;

test('100 MB round trip in constant memory, odd chunk sizes, equal SHA-256 on both sides', async () => {
  const dek = generateDataKey();
  const plaintextHash = createHash('sha256');
  const chunkSizes = [1024 * 1024 + 7, 65_535, 333_333, 1];
  async function* plaintext() {
    let sent = 0;
    let i = 0;
    while (sent < TOTAL) {
      const size = Math.min(chunkSizes[i++ % chunkSizes.length] as number, TOTAL - sent);
      const chunk = randomFillSync(Buffer.allocUnsafe(size));
      plaintextHash.update(chunk);
      sent += size;
      yield chunk;
    }
  }
  let ciphertextBytes = 0;
  async function* counted(source: AsyncIterable<Uint8Array>) {
    for await (const chunk of source) {
      ciphertextBytes += chunk.length;
      yield chunk;
    }
  }
  const decryptedHash = createHash('sha256');
  let decryptedBytes = 0;
  let peakArrayBuffers = 0;
  for await (const chunk of decryptStream(counted(encryptStream(plaintext(), dek)), dek)) {
    decryptedHash.update(chunk);
    decryptedBytes += chunk.length;
    if (decryptedBytes % (8 * 1024 * 1024) < chunk.length) {
      peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
    }
  }
  assert.equal(decryptedBytes, TOTAL);
  assert.equal(ciphertextBytes, ciphertextLength(TOTAL));
  assert.equal(decryptedHash.digest('hex'), plaintextHash.digest('hex'));
  // Garbage may linger until collected, but a pipeline that buffered the file would hold 100 MB+.
  assert.ok(peakArrayBuffers < 80 * 1024 * 1024, `peak ${peakArrayBuffers} bytes of ArrayBuffers`);
});
