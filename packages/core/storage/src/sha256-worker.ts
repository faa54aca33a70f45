import { hash } from 'node:crypto';
import {
  askStorageWorker,
  type StorageWorkerReply,
  storageWorkerBacklog,
  storageWorkerUnavailable,
} from './storage-worker.ts';

/**
 * SHA-256 on the storage worker thread (storage-worker.ts), so a put hashes its leaves on the
 * second core while this thread encrypts and issues the block writes, and a read hashes a block
 * while this thread copies it out and decrypts. On a two-core machine this thread is what both
 * are bound by, and hashing is ~0.6 s of its time per GiB. libuv's thread pool is no substitute:
 * there, hash jobs queue behind the block writes.
 *
 * The worker never copies a block: it hashes views of a SharedArrayBuffer (the put's pooled
 * leaves, FsBlockstore's direct-read buffers) in place. Anything else is hashed here,
 * synchronously, as are small blocks, for which a message costs more than the hash. (Handing it
 * blocks read into ordinary buffers, transferred there and back, measured no faster.)
 */

/** Below this, hashing here is cheaper than a round trip to the worker. */
const MIN_OFFLOAD = 64 * 1024;

/**
 * SHA-256 of bytes the caller leaves untouched until this resolves. A view of a SharedArrayBuffer
 * is hashed on the worker, in place, unless `queue` or more requests are waiting for it there;
 * anything else here.
 */
export async function sha256Shared(
  bytes: Uint8Array,
  options: { queue?: number } = {},
): Promise<Uint8Array> {
  if (
    bytes.length >= MIN_OFFLOAD &&
    bytes.buffer instanceof SharedArrayBuffer &&
    storageWorkerBacklog() < (options.queue ?? Number.POSITIVE_INFINITY)
  ) {
    const reply = askStorageWorker({
      op: 'hash',
      buffer: bytes.buffer,
      offset: bytes.byteOffset,
      length: bytes.length,
    });
    if (reply !== undefined) {
      try {
        return digestOf(await reply);
      } catch (error) {
        // The worker died: the bytes are still ours (shared, not transferred), so hash them here.
        if (!storageWorkerUnavailable()) throw error;
      }
    }
  }
  return hash('sha256', bytes, 'buffer');
}

function digestOf(reply: StorageWorkerReply): Uint8Array {
  if (reply.digest === undefined) throw new Error(reply.error ?? 'the hash worker failed');
  return reply.digest;
}
