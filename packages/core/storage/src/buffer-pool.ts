/**
 * Recycles the chunk buffers of an upload: a leaf's buffer comes back once every replica has
 * written it, so ingest allocates a handful of chunk buffers instead of one per MiB. That keeps
 * garbage (and so GC time and peak RSS) flat however large the object.
 */
export class BufferPool {
  readonly #size: number;
  readonly #max: number;
  readonly #free: Uint8Array[] = [];
  /** Buffers this pool handed out, by their ArrayBuffer (views of them come back too). */
  readonly #mine = new WeakMap<ArrayBufferLike, Uint8Array>();

  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = max;
  }

  /** A buffer of the pool's size (contents undefined); `size` must be the pool's size. */
  readonly allocate = (size: number): Uint8Array => {
    if (size !== this.#size) return new Uint8Array(size);
    const buffer = this.#free.pop() ?? new Uint8Array(size);
    this.#mine.set(buffer.buffer, buffer);
    return buffer;
  };

  /** Returns a buffer (or a view of one) this pool allocated; anything else is ignored. */
  release(bytes: Uint8Array): void {
    const buffer = this.#mine.get(bytes.buffer);
    if (buffer === undefined) return;
    this.#mine.delete(bytes.buffer);
    if (this.#free.length < this.#max) this.#free.push(buffer);
  }
}
