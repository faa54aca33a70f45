import { createSignerCheck } from '@aegle/crypto';
import { type Hex, hexToBytes } from 'viem';

/**
 * Signers' public keys, learnt from their first signature: a node checks many entries by the
 * same accounts (an import is hundreds by one creator), and a known key is checked about three
 * times faster than a signature is recovered. Public keys only; nothing secret is kept.
 */
const check = createSignerCheck();

/**
 * Whether `signature` is `signer`'s over the 32-byte `digest`, exactly as the contracts judge it
 * (OpenZeppelin ECDSA: v 27 or 28, low s). viem's recovery also accepts the malleated high-s twin
 * of a signature, which a contract then rejects: a request the node relayed or an entry it
 * anchored would fail on chain, and the node would answer for it.
 */
export function signedBy(digest: Hex, signature: Hex, signer: Hex): boolean {
  try {
    return check(hexToBytes(digest), hexToBytes(signature), signer);
  } catch {
    return false;
  }
}

/** Signatures already found good, most recent last (see `signedByCached`). */
const verified = new Map<string, true>();
const VERIFIED_CAPACITY = 256;

/**
 * `signedBy`, remembering the signatures it found good: a batch of entries signed at once
 * (Records' batch signatures) carries the same root signature in every entry, and the node then
 * checks it once per batch instead of once per entry. The same digest, signature and signer
 * always give the same answer, so a remembered one is exact; failures are not remembered.
 */
export function signedByCached(digest: Hex, signature: Hex, signer: Hex): boolean {
  const key = `${digest}:${signature}:${signer}`.toLowerCase();
  if (verified.has(key)) {
    verified.delete(key);
    verified.set(key, true);
    return true;
  }
  if (!signedBy(digest, signature, signer)) return false;
  if (verified.size >= VERIFIED_CAPACITY) verified.delete(verified.keys().next().value as string);
  verified.set(key, true);
  return true;
}
