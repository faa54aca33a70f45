import { createSegmentCipher } from '#segment-cipher';
import { encryptBytesWith } from './encrypt-bytes-with.ts';
import type { EncryptStreamOptions } from './encrypt-stream-with.ts';

/**
 * Encrypts a plaintext held in memory under a data key, in one call: the same bytes as
 * `encryptStream` (same format, see docs/CRYPTO.md), decrypted by `decryptStream`, but without
 * a stream's machinery (an async generator per step, a promise per chunk), which for records of
 * a few kilobytes cost more than the AES itself. For anything large, or not in memory, use
 * `encryptStream`, which holds one segment at a time.
 */
export function encryptBytes(
  plaintext: Uint8Array,
  dataKey: Uint8Array,
  options: EncryptStreamOptions = {},
): Promise<Uint8Array> {
  return encryptBytesWith(
    plaintext,
    dataKey,
    { segmentSize: options.segmentSize },
    createSegmentCipher,
  );
}
