import { recoverSigner } from '@aegle/crypto';
import { type Hex, hexToBytes } from 'viem';

/**
 * Whether `signature` is `signer`'s over the 32-byte `digest`, exactly as the contracts judge it
 * (OpenZeppelin ECDSA: v 27 or 28, low s). viem's recovery also accepts the malleated high-s twin
 * of a signature, which a contract then rejects: a request the node relayed or an entry it
 * anchored would fail on chain, and the node would answer for it.
 */
export function signedBy(digest: Hex, signature: Hex, signer: Hex): boolean {
  try {
    const recovered = recoverSigner(hexToBytes(digest), hexToBytes(signature));
    return recovered !== undefined && recovered.toLowerCase() === signer.toLowerCase();
  } catch {
    return false;
  }
}
