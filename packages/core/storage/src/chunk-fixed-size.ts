/**
 * Cuts a byte stream into chunks of exactly `chunkSize` bytes (the last one shorter), like
 * ipfs-unixfs-importer's fixed-size chunker: an empty stream gives one empty chunk.
 *
 * Whole chunks that lie inside one input buffer are yielded as views of it, without a copy;
 * only a chunk that spans input buffers is assembled in a fresh buffer. So the chunks may alias
 * the caller's buffers: a source must not reuse a buffer after yielding it (Node streams and
 * @aegle/crypto's encryptor yield fresh buffers). `allocate` supplies the assembly buffers (of
 * `chunkSize` bytes, contents irrelevant), so a writer can recycle them once a chunk is stored.
 * `release`, if given, is called with each input buffer once all of its bytes have been copied
 * into assembly buffers and no view of it was yielded: a caller whose source buffers are its own
 * to dispose of (an HTTP body's chunks, an encryptor's output) passes `freeLeaf`, so that they
 * are freed at once rather than by V8's next full collection (see free-leaf.ts).
 */
export async function* chunkFixedSize(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  chunkSize: number,
  allocate: (size: number) => Uint8Array = (size) => new Uint8Array(size),
  release?: (input: Uint8Array) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  let partial: Uint8Array | undefined;
  let filled = 0;
  let emitted = false;
  for await (const input of source) {
    let offset = 0;
    if (partial !== undefined) {
      const take = Math.min(chunkSize - filled, input.length);
      partial.set(input.subarray(0, take), filled);
      filled += take;
      offset = take;
      if (filled < chunkSize) {
        release?.(input);
        continue;
      }
      yield partial;
      emitted = true;
      partial = undefined;
      filled = 0;
    }
    let viewed = false;
    while (input.length - offset >= chunkSize) {
      yield input.subarray(offset, offset + chunkSize);
      emitted = true;
      viewed = true;
      offset += chunkSize;
    }
    if (offset < input.length) {
      partial = allocate(chunkSize);
      partial.set(input.subarray(offset));
      filled = input.length - offset;
    }
    if (!viewed) release?.(input);
  }
  if (partial !== undefined) yield partial.subarray(0, filled);
  else if (!emitted) yield new Uint8Array(0);
}
