import { allocatePageAligned } from './page-aligned.ts';

/**
 * Recycles the chunk buffers of an upload: a leaf's buffer comes back once every replica has
 * written it, so ingest allocates a handful of chunk buffers instead of one per MiB. That keeps
 * garbage (and so GC time and peak RSS) flat however large the object.
 *
 * The pool's buffers are page-aligned (see page-aligned.ts), so whole leaves can be written with
 * O_DIRECT. They are made on first need, all at once (one mapping); past `max` in use at once,
 * `allocate` hands out plain buffers, which are written through the page cache.
 */
export class BufferPool {
  readonly #size: number;
  readonly #max: number;
  readonly #shared: boolean;
  #free: Uint8Array[] | undefined;
  /** Buffers this pool handed out, by their byte offset in the pool's mapping. */
  readonly #lent = new Map<number, Uint8Array>();
  #memory: ArrayBufferLike | undefined;

  /** With `shared`, the buffers are views of a SharedArrayBuffer (see `allocatePageAligned`). */
  constructor(size: number, max: number, options: { shared?: boolean } = {}) {
    this.#size = size;
    this.#max = max;
    this.#shared = options.shared ?? false;
  }

  /** A buffer of the pool's size (contents undefined); `size` must be the pool's size. */
  readonly allocate = (size: number): Uint8Array => {
    if (size !== this.#size) return new Uint8Array(size);
    return this.lend() ?? new Uint8Array(size);
  };

  /** One of the pool's own (page-aligned) buffers, or undefined while all `max` are lent. */
  lend(): Uint8Array | undefined {
    if (this.#free === undefined) {
      this.#free = allocatePageAligned(this.#size, this.#max, { shared: this.#shared }).reverse();
      this.#memory = this.#free[0]?.buffer;
    }
    const buffer = this.#free.pop();
    if (buffer !== undefined) this.#lent.set(buffer.byteOffset, buffer);
    return buffer;
  }

  /** Returns a buffer (or a view of one) this pool allocated; anything else is ignored. */
  release(bytes: Uint8Array): void {
    if (this.#memory === undefined || bytes.buffer !== this.#memory) return;
    const buffer = this.#lent.get(bytes.byteOffset);
    if (buffer === undefined) return;
    this.#lent.delete(bytes.byteOffset);
    this.#free?.push(buffer);
  }
}
