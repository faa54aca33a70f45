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
