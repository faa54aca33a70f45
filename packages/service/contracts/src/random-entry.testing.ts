// Test support: random values of the shapes an anchor entry holds.
import { randomBytes } from 'node:crypto';
import type { Hex } from 'viem';
import type { UnsignedAnchorEntry } from './anchor-entry.ts';

/** `bytes` random bytes as 0x-hex. */
export const randomHex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}` as Hex;

/** An unsigned entry with every field random (signedAt below 2^40). */
export function randomEntry(): UnsignedAnchorEntry {
  return {
    recordId: randomHex(32),
    patient: randomHex(20),
    creator: randomHex(20),
    contentRoot: randomHex(32),
    metadataHash: randomHex(32),
    category: randomHex(32),
    supersedes: randomHex(32),
    nonce: BigInt(randomHex(32)),
    signedAt: BigInt(Math.floor(Math.random() * 2 ** 40)),
  };
}
