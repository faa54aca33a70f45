/** One buffer from the input shapes interface-blockstore's `put` accepts (no copy for one part). */
export async function collectBytes(
  bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<Uint8Array> {
  if (bytes instanceof Uint8Array) return bytes;
  const parts: Uint8Array[] = [];
  for await (const part of bytes) parts.push(part);
  return parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
}

/** A block as the one-part generator interface-blockstore's `get` returns. */
export function* once(bytes: Uint8Array): Generator<Uint8Array, void, undefined> {
  yield bytes;
}
