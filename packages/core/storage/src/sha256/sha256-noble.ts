import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** SHA-256 where node:crypto is absent (browsers): @noble/hashes, audited and dependency-free. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}
