import { InvalidStreamOptionError, StreamTooLongError } from '../errors.ts';
import { ChunkReader } from './chunk-reader.ts';
import { assertDataKey } from './data-key.ts';
import {
  DEFAULT_SEGMENT_SIZE,
  MAX_SEGMENT_SIZE,
  MAX_SEGMENTS,
  MIN_SEGMENT_SIZE,
} from './format.ts';
import type { CreateSegmentCipher } from './segment-cipher.ts';
import { writeSegmentNonce } from './segment-nonce.ts';
import { createStreamHeader, type HeaderRandomness } from './stream-header.ts';

export type EncryptStreamOptions = {
  /** Plaintext bytes per segment (default 64 KiB, allowed 16 B..16 MiB). */
  segmentSize?: number;
};

/** Internal options: fixed header randomness lets tests compare implementations byte for byte. */
export type EncryptStreamInternalOptions = EncryptStreamOptions & { randomness?: HeaderRandomness };

/**
 * `encryptStream` with the AES-GCM implementation passed in. Yields the 80-byte header, then each
 * segment's ciphertext || tag (in one or two chunks), never holding more than one segment of
 * plaintext.
 */
export async function* encryptStreamWith(
  source: AsyncIterable<Uint8Array>,
  dataKey: Uint8Array,
  options: EncryptStreamInternalOptions,
  createCipher: CreateSegmentCipher,
): AsyncGenerator<Uint8Array, void, undefined> {
  assertDataKey(dataKey);
  const segmentSize = checkSegmentSize(options.segmentSize ?? DEFAULT_SEGMENT_SIZE);
  const header = createStreamHeader(dataKey, segmentSize, options.randomness);
  const cipher = await createCipher(header.segmentKey);
  const nonce = new Uint8Array(12);
  const reader = new ChunkReader(source);
  try {
    yield header.bytes.slice(); // a copy: the header stays the AAD of every segment
    let index = 0;
    for await (const segment of reader.segments(segmentSize)) {
      if (index >= MAX_SEGMENTS) throw new StreamTooLongError();
      writeSegmentNonce(nonce, header.noncePrefix, index, segment.last);
      for (const part of await cipher.seal(nonce, segment.bytes, header.bytes)) yield part;
      index++;
    }
  } finally {
    await reader.close();
  }
}

export function checkSegmentSize(segmentSize: number): number {
  if (
    !Number.isInteger(segmentSize) ||
    segmentSize < MIN_SEGMENT_SIZE ||
    segmentSize > MAX_SEGMENT_SIZE
  ) {
    throw new InvalidStreamOptionError(
      'segmentSize',
      `must be an integer from ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE}`,
    );
  }
  return segmentSize;
}
