import { createSegmentCipher } from '#segment-cipher';
import { decryptStreamWith } from './decrypt-stream-with.ts';

/**
 * Decrypts a stream made by `encryptStream`, yielding plaintext one authenticated segment at a
 * time, in constant memory.
 *
 * Throws `WrongKeyError` (commitment mismatch, checked before any segment),
 * `TamperedSegmentError`, `TruncatedStreamError`, `MalformedHeaderError` or
 * `UnsupportedVersionError`. Every yielded chunk is authentic, but only reaching the end proves
 * the plaintext is complete: a consumer must discard what it received if iteration throws.
 */
export function decryptStream(
  source: AsyncIterable<Uint8Array>,
  dataKey: Uint8Array,
): AsyncGenerator<Uint8Array, void, undefined> {
  return decryptStreamWith(source, dataKey, createSegmentCipher);
}
