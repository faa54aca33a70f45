import type { Writable } from 'node:stream';

/**
 * Writes a leaf to a socket-backed stream and resolves once the stream has taken it (its write
 * callback: the bytes are with the kernel), rejecting if the stream closes first. Writing leaf
 * after leaf this way keeps one leaf in flight, so each can be freed (`freeLeaf`) right after.
 */
export function sendLeaf(
  stream: Pick<Writable, 'write' | 'once' | 'off'>,
  leaf: Uint8Array,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('the connection closed before the data was sent'));
    stream.once('close', onClose);
    stream.write(leaf, (error) => {
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    });
  });
}

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
