import { equalBytes, randomBytes } from '../bytes.ts';
import { MalformedHeaderError, UnsupportedVersionError, WrongKeyError } from '../errors.ts';
import {
  COMMITMENT_LENGTH,
  COMMITMENT_OFFSET,
  FORMAT_VERSION,
  HEADER_LENGTH,
  MAGIC,
  MAX_SEGMENT_SIZE,
  MIN_SEGMENT_SIZE,
  NONCE_PREFIX_LENGTH,
  NONCE_PREFIX_OFFSET,
  SALT_LENGTH,
  SALT_OFFSET,
  SEGMENT_SIZE_OFFSET,
} from './format.ts';
import { deriveStreamKeys } from './stream-keys.ts';

/** A header ready for use: its 80 bytes, the segment key and what builds each nonce. */
export type StreamHeader = {
  bytes: Uint8Array;
  segmentSize: number;
  noncePrefix: Uint8Array;
  segmentKey: Uint8Array;
};

/** Fixed header randomness, for tests that need byte-identical output. Never set in production. */
export type HeaderRandomness = { salt: Uint8Array; noncePrefix: Uint8Array };

/** Builds a fresh header (random salt and nonce prefix unless given) and derives its keys. */
export function createStreamHeader(
  dataKey: Uint8Array,
  segmentSize: number,
  randomness?: HeaderRandomness,
): StreamHeader {
  const bytes = new Uint8Array(HEADER_LENGTH);
  bytes.set(MAGIC, 0);
  bytes[4] = FORMAT_VERSION;
  new DataView(bytes.buffer).setUint32(SEGMENT_SIZE_OFFSET, segmentSize, false);
  bytes.set(randomness?.salt ?? randomBytes(SALT_LENGTH), SALT_OFFSET);
  bytes.set(randomness?.noncePrefix ?? randomBytes(NONCE_PREFIX_LENGTH), NONCE_PREFIX_OFFSET);
  const keys = deriveStreamKeys(dataKey, bytes.subarray(0, COMMITMENT_OFFSET));
  bytes.set(keys.commitment, COMMITMENT_OFFSET);
  return {
    bytes,
    segmentSize,
    noncePrefix: bytes.subarray(NONCE_PREFIX_OFFSET, COMMITMENT_OFFSET),
    segmentKey: keys.segmentKey,
  };
}

/**
 * Checks the start of a stream for the magic and version as soon as those bytes are there, so
 * a stream that is not ours (or too new) is named as such even when it is shorter than a header.
 */
export function checkMagicAndVersion(bytes: Uint8Array): void {
  const magicBytes = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < magicBytes; i++) {
    if (bytes[i] !== MAGIC[i]) throw new MalformedHeaderError('magic', 'is not "AEGL"');
  }
  const version = bytes[4];
  if (version !== undefined && version !== FORMAT_VERSION)
    throw new UnsupportedVersionError(version);
}

/**
 * Parses an 80-byte header and verifies its key commitment against the data key before any
 * segment is touched, so a wrong key is reported as `WrongKeyError`, not as tampering.
 */
export function openStreamHeader(dataKey: Uint8Array, bytes: Uint8Array): StreamHeader {
  if (bytes.length !== HEADER_LENGTH) throw new RangeError('a stream header is 80 bytes');
  checkMagicAndVersion(bytes);
  const segmentSize = new DataView(bytes.buffer, bytes.byteOffset).getUint32(
    SEGMENT_SIZE_OFFSET,
    false,
  );
  if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
    throw new MalformedHeaderError(
      'segment size',
      `is outside ${MIN_SEGMENT_SIZE}..${MAX_SEGMENT_SIZE}`,
    );
  }
  const keys = deriveStreamKeys(dataKey, bytes.subarray(0, COMMITMENT_OFFSET));
  const commitment = bytes.subarray(COMMITMENT_OFFSET, COMMITMENT_OFFSET + COMMITMENT_LENGTH);
  if (!equalBytes(keys.commitment, commitment)) throw new WrongKeyError();
  return {
    bytes,
    segmentSize,
    noncePrefix: bytes.subarray(NONCE_PREFIX_OFFSET, NONCE_PREFIX_OFFSET + NONCE_PREFIX_LENGTH),
    segmentKey: keys.segmentKey,
  };
}
