import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '../bytes.ts';
import {
  COMMIT_INFO_LABEL,
  COMMITMENT_LENGTH,
  COMMITMENT_OFFSET,
  KEY_INFO_LABEL,
  SALT_LENGTH,
  SALT_OFFSET,
} from './format.ts';

const KEY_INFO = utf8ToBytes(KEY_INFO_LABEL);
const COMMIT_INFO = utf8ToBytes(COMMIT_INFO_LABEL);

export type StreamKeys = { segmentKey: Uint8Array; commitment: Uint8Array };

/**
 * Derives the per-stream AES-256-GCM key and the key commitment from the data key and the first
 * 48 header bytes (everything but the commitment itself).
 *
 * Binding every header field into both derivations means a header edited in any field yields a
 * different key and commitment; the fresh salt per stream gives each stream its own key even
 * though a data key may be reused, which keeps the 2^32 nonces-per-key budget per stream.
 */
export function deriveStreamKeys(dataKey: Uint8Array, headerPrefix: Uint8Array): StreamKeys {
  if (headerPrefix.length !== COMMITMENT_OFFSET)
    throw new RangeError('header prefix must be 48 bytes');
  const salt = headerPrefix.subarray(SALT_OFFSET, SALT_OFFSET + SALT_LENGTH);
  const prk = extract(sha256, dataKey, salt);
  return {
    segmentKey: expand(sha256, prk, concatBytes(KEY_INFO, headerPrefix), 32),
    commitment: expand(sha256, prk, concatBytes(COMMIT_INFO, headerPrefix), COMMITMENT_LENGTH),
  };
}
