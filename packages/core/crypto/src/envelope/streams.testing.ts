// Helpers for the envelope tests (not part of the public API).
import { concatBytes } from '../bytes.ts';

/** Yields `bytes` in chunks whose sizes cycle through `sizes` (copies, as a real source would). */
export async function* chunked(
  bytes: Uint8Array,
  sizes: number[] = [bytes.length || 1],
): AsyncGenerator<Uint8Array> {
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = sizes[i++ % sizes.length] as number;
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

/** Concatenates everything an async iterable yields. */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part.slice());
  return concatBytes(...parts);
}

/** Runs a decryption, returning what it yielded before it threw (and the error). */
export async function collectUntilError(
  source: AsyncIterable<Uint8Array>,
): Promise<{ yielded: Uint8Array[]; error: unknown }> {
  const yielded: Uint8Array[] = [];
  try {
    for await (const part of source) yielded.push(part.slice());
  } catch (error) {
    return { yielded, error };
  }
  return { yielded, error: undefined };
}

/** Deterministic test bytes: position-dependent, so misplaced bytes show up as differences. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
