import type { Writable } from 'node:stream';

/**
 * Writes a leaf to a socket-backed stream and resolves once the stream has taken it (its write
 * callback: the bytes are with the kernel), rejecting if the stream closes first. Writing leaf
 * after leaf this way keeps one leaf in flight, so each can be freed right after (`freeLeaf`,
 * free-leaf.ts).
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
