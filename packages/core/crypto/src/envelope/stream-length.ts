import { InvalidStreamOptionError } from '../errors.ts';
import { checkSegmentSize } from './encrypt-stream-with.ts';
import { DEFAULT_SEGMENT_SIZE, HEADER_LENGTH, MAX_SEGMENTS, TAG_LENGTH } from './format.ts';

/**
 * The exact ciphertext size for a plaintext size, so a storage quota can be checked before any
 * byte is stored: header + plaintext + one tag per segment, with max(1, ceil(n / segmentSize))
 * segments (an empty plaintext still has one, empty, final segment).
 */
export function ciphertextLength(
  plaintextLength: number,
  segmentSize = DEFAULT_SEGMENT_SIZE,
): number {
  checkLength('plaintextLength', plaintextLength);
  checkSegmentSize(segmentSize);
  const segments = Math.max(1, Math.ceil(plaintextLength / segmentSize));
  if (segments > MAX_SEGMENTS)
    throw new InvalidStreamOptionError('plaintextLength', 'needs more than 2^32 segments');
  return HEADER_LENGTH + plaintextLength + segments * TAG_LENGTH;
}

/**
 * The plaintext size of a ciphertext of this size (the inverse of `ciphertextLength`). Throws
 * `InvalidStreamOptionError` for a size no stream can have.
 */
export function plaintextLength(
  ciphertextLength: number,
  segmentSize = DEFAULT_SEGMENT_SIZE,
): number {
  checkLength('ciphertextLength', ciphertextLength);
  checkSegmentSize(segmentSize);
  const body = ciphertextLength - HEADER_LENGTH;
  const sealedSegment = segmentSize + TAG_LENGTH;
  const fullSegments = Math.floor(body / sealedSegment);
  const rest = body - fullSegments * sealedSegment;
  if (body < TAG_LENGTH || (rest > 0 && rest < TAG_LENGTH)) {
    throw new InvalidStreamOptionError(
      'ciphertextLength',
      'is not the size of any stream with this segment size',
    );
  }
  return fullSegments * segmentSize + (rest === 0 ? 0 : rest - TAG_LENGTH);
}

function checkLength(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidStreamOptionError(name, 'must be a non-negative safe integer');
  }
}
