import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Address } from './account.ts';
import { addressFromPublicKey } from './address-from-key.ts';

/** Half the secp256k1 group order: a larger `s` is the malleated twin of a valid signature. */
const HALF_N = secp256k1.Point.CURVE().n >> 1n;

/**
 * The address that made a 65-byte Ethereum signature (r ‖ s ‖ v) of a 32-byte digest, accepting
 * exactly what OpenZeppelin's ECDSA.recover (and so SignatureChecker, for an account without
 * code) accepts: `v` 27 or 28, and `s` in the lower half of the order (EIP-2). Anything else,
 * a high-s twin included, is `undefined`: a contract would reject it, so a node must too.
 */
export function recoverSigner(digest: Uint8Array, signature: Uint8Array): Address | undefined {
  if (digest.length !== 32 || signature.length !== 65) return undefined;
  const v = signature[64] as number;
  if (v !== 27 && v !== 28) return undefined;
  let s = 0n;
  for (const byte of signature.subarray(32, 64)) s = (s << 8n) | BigInt(byte);
  if (s === 0n || s > HALF_N) return undefined;
  const recovered = new Uint8Array(65);
  recovered[0] = v - 27;
  recovered.set(signature.subarray(0, 64), 1);
  try {
    return addressFromPublicKey(secp256k1.recoverPublicKey(recovered, digest, { prehash: false }));
  } catch {
    return undefined;
  }
}
