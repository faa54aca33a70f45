import { secp256k1 } from '@noble/curves/secp256k1.js';

const N = secp256k1.Point.CURVE().n;
/** Half the secp256k1 group order: a larger `s` is the malleated twin of a valid signature. */
const HALF_N = N >> 1n;

/** An Ethereum signature's parts, once it is known to be one a contract could accept. */
export type EthSignature = {
  r: bigint;
  s: bigint;
  /** 0 or 1 (v − 27). */
  recovery: 0 | 1;
};

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * Splits a 65-byte Ethereum signature (r ‖ s ‖ v) of a 32-byte digest, accepting exactly what
 * OpenZeppelin's ECDSA.recover accepts before it calls ecrecover: `v` 27 or 28, `s` in the lower
 * half of the order (EIP-2), and `r`, `s` not zero; `r` must also be below the order (ecrecover
 * refuses the rest). Anything else is `undefined`.
 */
export function parseEthSignature(
  digest: Uint8Array,
  signature: Uint8Array,
): EthSignature | undefined {
  if (digest.length !== 32 || signature.length !== 65) return undefined;
  const v = signature[64] as number;
  if (v !== 27 && v !== 28) return undefined;
  const r = toBigInt(signature.subarray(0, 32));
  const s = toBigInt(signature.subarray(32, 64));
  if (r === 0n || r >= N || s === 0n || s > HALF_N) return undefined;
  return { r, s, recovery: v === 27 ? 0 : 1 };
}

/** A digest as the scalar ECDSA signs (SEC 1: the 256-bit integer, reduced mod n). */
export function digestScalar(digest: Uint8Array): bigint {
  return toBigInt(digest) % N;
}

/**
 * The public key that made an Ethereum signature already accepted by `parseEthSignature`
 * (uncompressed), or undefined where ecrecover would fail (r is no point's x).
 */
export function recoverEthPublicKey(
  digest: Uint8Array,
  signature: Uint8Array,
  parsed: EthSignature,
): Uint8Array | undefined {
  // noble's recovered format: recovery id ‖ r ‖ s.
  const recovered = new Uint8Array(65);
  recovered[0] = parsed.recovery;
  recovered.set(signature.subarray(0, 64), 1);
  try {
    return secp256k1.recoverPublicKey(recovered, digest, { prehash: false });
  } catch {
    return undefined;
  }
}
