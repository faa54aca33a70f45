import { createSegmentCipher } from '#segment-cipher';
import { type EncryptStreamOptions, encryptStreamWith } from './encrypt-stream-with.ts';

export type { EncryptStreamOptions };

/**
 * Encrypts a stream of plaintext chunks (any sizes) under a data key, in constant memory.
 *
 * Output: an 80-byte header, then the sealed segments (ciphertext || tag, in one or two chunks). Works with Node streams
 * (`fs.createReadStream(path)`) and web `ReadableStream`s, which are both async iterables.
 * See docs/CRYPTO.md for the format.
 */
export function encryptStream(
  source: AsyncIterable<Uint8Array>,
  dataKey: Uint8Array,
  options: EncryptStreamOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  return encryptStreamWith(
    source,
    dataKey,
    { segmentSize: options.segmentSize },
    createSegmentCipher,
  );
}
