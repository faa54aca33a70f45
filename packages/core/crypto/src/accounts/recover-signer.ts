import type { Address } from './account.ts';
import { addressFromPublicKey } from './address-from-key.ts';
import { parseEthSignature, recoverEthPublicKey } from './eth-signature.ts';

/**
 * The address that made a 65-byte Ethereum signature (r ‖ s ‖ v) of a 32-byte digest, accepting
 * exactly what OpenZeppelin's ECDSA.recover (and so SignatureChecker, for an account without
 * code) accepts: `v` 27 or 28, and `s` in the lower half of the order (EIP-2). Anything else,
 * a high-s twin included, is `undefined`: a contract would reject it, so a node must too.
 */
export function recoverSigner(digest: Uint8Array, signature: Uint8Array): Address | undefined {
  const parsed = parseEthSignature(digest, signature);
  if (parsed === undefined) return undefined;
  const publicKey = recoverEthPublicKey(digest, signature, parsed);
  return publicKey && addressFromPublicKey(publicKey);
}
