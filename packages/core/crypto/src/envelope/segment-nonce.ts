import { NONCE_PREFIX_LENGTH } from './format.ts';

/**
 * Writes the 12-byte nonce of a segment into `nonce`: prefix(7) || u32_be(index) || last(1).
 *
 * The index stops reordering, the last flag stops truncation (STREAM construction), and the
 * per-stream random prefix plus per-stream key keep nonces unique without any state.
 */
export function writeSegmentNonce(
  nonce: Uint8Array,
  prefix: Uint8Array,
  index: number,
  last: boolean,
): Uint8Array {
  nonce.set(prefix, 0);
  nonce[NONCE_PREFIX_LENGTH] = index >>> 24;
  nonce[NONCE_PREFIX_LENGTH + 1] = (index >>> 16) & 0xff;
  nonce[NONCE_PREFIX_LENGTH + 2] = (index >>> 8) & 0xff;
  nonce[NONCE_PREFIX_LENGTH + 3] = index & 0xff;
  nonce[NONCE_PREFIX_LENGTH + 4] = last ? 1 : 0;
  return nonce;
}
