/**
 * Page-aligned buffers, for O_DIRECT writes (the kernel DMAs them to the disk without copying
 * them into the page cache, which halves ingest's CPU cost on a two-core machine).
 *
 * JavaScript cannot ask for an aligned ArrayBuffer, but a WebAssembly memory is mapped by the
 * engine on its own pages, so it starts on a page boundary; slices of it at multiples of
 * `PAGE_SIZE` are aligned too. Only buffers made here count as aligned: for any other buffer the
 * address is unknowable, and a writer must fall back to buffered I/O.
 */

/** Alignment O_DIRECT needs for the buffer address, file offset and length (4 KiB covers any disk). */
export const PAGE_SIZE = 4096;
const WASM_PAGE = 65_536;

// The project's TypeScript libs do not declare WebAssembly; Node has it. Only what is used here.
declare const WebAssembly: {
  Memory: new (descriptor: {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }) => {
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  };
};

const aligned = new WeakSet<ArrayBufferLike>();

/**
 * `count` page-aligned buffers of `size` bytes (rounded up to whole pages), zero-filled. With
 * `shared`, their memory is a SharedArrayBuffer, which a worker thread can read in place.
 */
export function allocatePageAligned(
  size: number,
  count: number,
  options: { shared?: boolean } = {},
): Uint8Array[] {
  const stride = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
  const pages = Math.ceil((stride * count) / WASM_PAGE);
  const memory = options.shared
    ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
    : new WebAssembly.Memory({ initial: pages });
  aligned.add(memory.buffer);
  return Array.from({ length: count }, (_, i) => new Uint8Array(memory.buffer, i * stride, size));
}

/** True if `bytes` can be written with O_DIRECT: an aligned start and a whole number of pages. */
export function isDirectWritable(bytes: Uint8Array): boolean {
  return (
    bytes.length > 0 &&
    bytes.length % PAGE_SIZE === 0 &&
    bytes.byteOffset % PAGE_SIZE === 0 &&
    aligned.has(bytes.buffer)
  );
}
