import { StreamTooLongError } from '../errors.ts';
import { assertDataKey } from './data-key.ts';
import { checkSegmentSize, type EncryptStreamInternalOptions } from './encrypt-stream-with.ts';
import { DEFAULT_SEGMENT_SIZE, HEADER_LENGTH, MAX_SEGMENTS } from './format.ts';
import type { CreateSegmentCipher } from './segment-cipher.ts';
import { writeSegmentNonce } from './segment-nonce.ts';
import { createStreamHeader } from './stream-header.ts';
import { ciphertextLength } from './stream-length.ts';

/**
 * `encryptBytes` with the AES-GCM implementation passed in: the stream format of
 * `encryptStreamWith`, byte for byte (segments cut as ChunkReader cuts them: full ones, then a
 * last of 0..segmentSize bytes), written into one buffer of the ciphertext's exact length.
 */
export async function encryptBytesWith(
  plaintext: Uint8Array,
  dataKey: Uint8Array,
  options: EncryptStreamInternalOptions,
  createCipher: CreateSegmentCipher,
): Promise<Uint8Array> {
  assertDataKey(dataKey);
  const segmentSize = checkSegmentSize(options.segmentSize ?? DEFAULT_SEGMENT_SIZE);
  const segments = Math.max(1, Math.ceil(plaintext.length / segmentSize));
  if (segments > MAX_SEGMENTS) throw new StreamTooLongError();
  const header = createStreamHeader(dataKey, segmentSize, options.randomness);
  const cipher = await createCipher(header.segmentKey);
  const out = new Uint8Array(ciphertextLength(plaintext.length, segmentSize));
  out.set(header.bytes, 0);
  const nonce = new Uint8Array(12);
  let at = HEADER_LENGTH;
  for (let index = 0; index < segments; index++) {
    const segment = plaintext.subarray(index * segmentSize, (index + 1) * segmentSize);
    writeSegmentNonce(nonce, header.noncePrefix, index, index === segments - 1);
    for (const part of await cipher.seal(nonce, segment, header.bytes)) {
      out.set(part, at);
      at += part.length;
    }
  }
  return out;
}
