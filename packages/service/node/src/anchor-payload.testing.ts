// Test support: made-up anchor intents (their values only need to differ by `n`).
import type { AnchorPayload } from './merkle-batch.ts';
import type { Hex } from './ports.ts';

/** `n` as a 0x-hex number of `bytes` bytes. */
export const hexOf = (n: number, bytes: number) =>
  `0x${n.toString(16).padStart(bytes * 2, '0')}` as Hex;

/** The anchor intent of record `n + 1`. */
export const anchorPayload = (n: number): AnchorPayload => ({
  recordId: hexOf(n + 1, 32),
  patient: hexOf(1, 20),
  creator: hexOf(2, 20),
  contentRoot: hexOf(3, 32),
  metadataHash: hexOf(4, 32),
  category: hexOf(5, 32),
  supersedes: hexOf(0, 32),
  nonce: String(n),
  signedAt: '1700000000',
  signature: `0x${'ab'.repeat(65)}`,
});
