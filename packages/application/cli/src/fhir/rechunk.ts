/** A byte stream in pieces of exactly `size` bytes (the last one shorter). */
export async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Buffer, void, undefined> {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`chunk size ${size}`);
  let parts: Uint8Array[] = [];
  let held = 0;
  for await (let part of source) {
    while (held + part.length >= size) {
      const take = size - held;
      parts.push(part.subarray(0, take));
      yield Buffer.concat(parts);
      part = part.subarray(take);
      parts = [];
      held = 0;
    }
    if (part.length > 0) {
      // Copied: the source may reuse or free its buffer once it is asked for the next one.
      parts.push(Uint8Array.from(part));
      held += part.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts);
}
