import type { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { sha256 } from '#sha256';
import { UnsupportedHashError } from './errors.ts';

/** Multihash code of sha2-256, the only hash Aegle writes and verifies. */
export const SHA2_256 = 0x12;

/**
 * sha2-256 multihash of a block. `#sha256` is node:crypto under Node (OpenSSL's SHA-NI path, the
 * fastest we have) and @noble/hashes elsewhere, so the DAG builder also runs in browsers.
 */
export function sha256Multihash(bytes: Uint8Array): Digest.Digest<typeof SHA2_256, number> {
  return Digest.create(SHA2_256, sha256(bytes));
}

/**
 * Whether `bytes` hash to `cid`. Throws `UnsupportedHashError` for any hash but sha2-256: a store
 * that silently trusted blocks it cannot verify could not promise self-healing.
 */
export function blockMatchesCid(cid: CID, bytes: Uint8Array): boolean {
  if (cid.multihash.code !== SHA2_256) {
    throw new UnsupportedHashError(cid.toString(), cid.multihash.code);
  }
  return digestMatchesCid(cid, sha256(bytes));
}

/** Whether a sha2-256 `digest` (computed elsewhere, e.g. on a worker) is the one `cid` names. */
export function digestMatchesCid(cid: CID, digest: Uint8Array): boolean {
  const expected = cid.multihash.digest;
  if (cid.multihash.code !== SHA2_256 || expected.length !== digest.length) return false;
  for (let i = 0; i < digest.length; i++) if (digest[i] !== expected[i]) return false;
  return true;
}
