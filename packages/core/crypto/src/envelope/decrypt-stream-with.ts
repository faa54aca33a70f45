import { TamperedSegmentError, TruncatedStreamError } from '../errors.ts';
import { ChunkReader } from './chunk-reader.ts';
import { assertDataKey } from './data-key.ts';
import { HEADER_LENGTH, TAG_LENGTH } from './format.ts';
import type { CreateSegmentCipher } from './segment-cipher.ts';
import { writeSegmentNonce } from './segment-nonce.ts';
import { checkMagicAndVersion, openStreamHeader } from './stream-header.ts';

/**
 * `decryptStream` with the AES-GCM implementation passed in. Each segment's plaintext is yielded
 * only after its tag verified. The stream is complete only when the iterator finishes: if it
 * throws, everything yielded before must be discarded.
 */
export async function* decryptStreamWith(
  source: AsyncIterable<Uint8Array>,
  dataKey: Uint8Array,
  createCipher: CreateSegmentCipher,
): AsyncGenerator<Uint8Array, void, undefined> {
  assertDataKey(dataKey);
  const reader = new ChunkReader(source);
  try {
    const headerBytes = await reader.read(HEADER_LENGTH);
    checkMagicAndVersion(headerBytes);
    if (headerBytes.length < HEADER_LENGTH) throw new TruncatedStreamError('inside the header');
    const header = openStreamHeader(dataKey, headerBytes);
    const cipher = await createCipher(header.segmentKey);
    const nonce = new Uint8Array(12);
    let index = 0;
    for await (const segment of reader.segments(header.segmentSize + TAG_LENGTH)) {
      if (segment.bytes.length < TAG_LENGTH) {
        // Every segment, even an empty last one, carries a 16-byte tag.
        throw new TruncatedStreamError(
          index === 0 && segment.bytes.length === 0
            ? 'right after the header'
            : `inside segment ${index}`,
        );
      }
      writeSegmentNonce(nonce, header.noncePrefix, index, segment.last);
      const plaintext = await cipher.open(nonce, segment.bytes, header.bytes);
      if (plaintext === undefined) {
        // Tell truncation apart from tampering: a segment that authenticates with the other
        // value of the last flag is intact but in the wrong place in the stream.
        writeSegmentNonce(nonce, header.noncePrefix, index, !segment.last);
        const intact = (await cipher.open(nonce, segment.bytes, header.bytes)) !== undefined;
        if (intact && segment.last)
          throw new TruncatedStreamError(`after segment ${index}, before the final segment`);
        if (intact) throw new TamperedSegmentError(index, 'data follows the final segment');
        throw new TamperedSegmentError(index);
      }
      yield plaintext;
      index++;
    }
  } finally {
    await reader.close();
  }
}
