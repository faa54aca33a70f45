const EMPTY = new Uint8Array(0);

/** One fixed-size piece of a stream, and whether the stream ends right after it. */
export type Segment = { bytes: Uint8Array; last: boolean };

/**
 * Pulls bytes from an async iterable of arbitrary-sized chunks and hands them out as exact
 * reads and fixed-size segments, holding at most one segment in memory.
 *
 * A segment is only known to be the last one when the source ends, so a full segment is held
 * back until at least one more byte arrives (one segment of look-ahead, as in Tink). A segment
 * yielded from the internal buffer is only valid until the next one is requested; callers
 * encrypt/decrypt it before asking for more.
 */
export class ChunkReader {
  #iterator: AsyncIterator<Uint8Array>;
  #chunk: Uint8Array = EMPTY;
  #offset = 0;
  #done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** Up to `length` bytes; fewer only if the source ended. */
  async read(length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length && (await this.#fill())) {
      const take = Math.min(length - filled, this.#chunk.length - this.#offset);
      out.set(this.#chunk.subarray(this.#offset, this.#offset + take), filled);
      this.#offset += take;
      filled += take;
    }
    return out.subarray(0, filled);
  }

  /**
   * The rest of the stream as segments of exactly `size` bytes, except the last, which has
   * 0..size bytes and `last: true`. Exactly one segment has `last: true`.
   *
   * Bytes are copied out of a chunk before the next one is pulled (a source may reuse its
   * buffers). A segment that starts in one chunk and goes on into the next is assembled in a
   * buffer of `size`, made once and reused; but a stream that ends inside its first chunk's worth
   * of a segment (a small record, a few KB against 1 MiB segments) gets a buffer of its own
   * length, not a whole segment's.
   */
  async *segments(size: number): AsyncGenerator<Segment, void, undefined> {
    let buffer: Uint8Array | undefined;
    // Bytes of the current segment held in a buffer of their exact size, while it is not yet
    // known whether the stream ends before the segment fills.
    let tail: Uint8Array | undefined;
    let filled = 0;
    for (;;) {
      if (!(await this.#fill())) {
        yield { bytes: tail ?? buffer?.subarray(0, filled) ?? EMPTY, last: true };
        return;
      }
      if (filled === size) {
        yield { bytes: buffer as Uint8Array, last: false }; // more bytes exist: not the last
        filled = 0;
        continue;
      }
      const available = this.#chunk.length - this.#offset;
      if (filled === 0 && available > size) {
        // Zero-copy: a whole segment inside the current chunk with bytes after it.
        yield { bytes: this.#chunk.subarray(this.#offset, this.#offset + size), last: false };
        this.#offset += size;
        continue;
      }
      const take = Math.min(size - filled, available);
      const bytes = this.#chunk.subarray(this.#offset, this.#offset + take);
      this.#offset += take;
      if (filled === 0 && take < size) {
        tail = bytes.slice();
      } else {
        buffer ??= new Uint8Array(size);
        if (tail) buffer.set(tail);
        tail = undefined;
        buffer.set(bytes, filled);
      }
      filled += take;
    }
  }

  /** Releases the source (closes a file or a network stream) when we stop early. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#iterator.return?.();
  }

  /** Makes unread bytes available; false when the source is exhausted. Skips empty chunks. */
  async #fill(): Promise<boolean> {
    while (this.#offset >= this.#chunk.length) {
      if (this.#done) return false;
      const next = await this.#iterator.next();
      if (next.done) {
        this.#done = true;
        this.#chunk = EMPTY;
        this.#offset = 0;
        return false;
      }
      if (!(next.value instanceof Uint8Array)) {
        throw new TypeError('the source must yield Uint8Array chunks (Buffer is fine)');
      }
      this.#chunk = next.value;
      this.#offset = 0;
    }
    return true;
  }
}
