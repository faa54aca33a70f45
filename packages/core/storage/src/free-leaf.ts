/**
 * Frees a leaf's memory now, if the leaf is a whole ArrayBuffer of its own (detaching it: its
 * length becomes 0), instead of when V8 next collects, which for large buffers waits until some
 * 64 MB of them are garbage. Only for a leaf its caller owns outright and has finished with:
 * every other view of the buffer sees it empty afterwards.
 */
export function freeLeaf(leaf: Uint8Array): void {
  const buffer = leaf.buffer;
  if (
    buffer instanceof ArrayBuffer &&
    leaf.byteOffset === 0 &&
    leaf.byteLength === buffer.byteLength
  ) {
    buffer.transfer(0);
  }
}
