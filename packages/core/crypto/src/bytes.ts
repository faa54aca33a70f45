// Byte helpers shared by the package. Hex and concatenation come from @noble/hashes so that
// the browser path has no Node dependency.
export {
  bytesToHex,
  concatBytes,
  hexToBytes,
  utf8ToBytes,
} from '@noble/hashes/utils.js';

/** Random bytes fetched at once from the platform's CSPRNG, and how many are used up. */
const RANDOM_POOL_SIZE = 4096;
const RANDOM_POOL_MAX_TAKE = 256;
let randomPool = new Uint8Array(0);
let randomTaken = 0;

/**
 * `n` cryptographically secure random bytes (WebCrypto's getRandomValues, in Node and in
 * browsers). Requests of up to 256 bytes are served from a pool refilled 4 KiB at a time, as
 * Node's randomUUID serves its own: a sealed record draws five small values (its data key,
 * its id, its entry's nonce, two stream headers' salts and nonces), and each call to the CSPRNG
 * is a trip into the kernel. Bytes handed out are zeroed in the pool at once.
 */
export function randomBytes(n = 32): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`cannot draw ${n} random bytes`);
  if (n > RANDOM_POOL_MAX_TAKE) return globalThis.crypto.getRandomValues(new Uint8Array(n));
  if (randomTaken + n > randomPool.length) {
    randomPool.fill(0);
    randomPool = globalThis.crypto.getRandomValues(new Uint8Array(RANDOM_POOL_SIZE));
    randomTaken = 0;
  }
  const out = randomPool.slice(randomTaken, randomTaken + n);
  randomPool.fill(0, randomTaken, randomTaken + n);
  randomTaken += n;
  return out;
}

/**
 * Compares two byte arrays in time that depends only on their length, so comparing a secret
 * (a key commitment, a MAC) leaks nothing about where the first difference is.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Reads a strict lowercase-or-uppercase hex string of an exact byte length; undefined if not. */
export function parseHex(value: unknown, byteLength?: number): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  const hex = value.startsWith('0x') ? value.slice(2) : value;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return undefined;
  if (byteLength !== undefined && hex.length !== byteLength * 2) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** What @hpke/core's interfaces pass bytes as. */
export type BufferSourceLike = ArrayBufferLike | ArrayBufferView;

/** A Uint8Array over the same memory as `bytes` (no copy). */
export function viewOf(bytes: BufferSourceLike): Uint8Array {
  return ArrayBuffer.isView(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes);
}

/** A copy of `bytes` in an ArrayBuffer of its own, as @hpke/core's interfaces return bytes. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
