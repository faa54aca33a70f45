import { hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * SHA-256 on a worker thread, so a put hashes its leaves on the second core while this thread
 * encrypts and issues the block writes, and a read hashes a block while this thread copies it out
 * and decrypts. On a two-core machine this thread is what both are bound by, and hashing is
 * ~0.6 s of its time per GiB.
 *
 * One worker per process, started on first use and `unref`'d while it has nothing to do, so it
 * never keeps a process alive. Its code is a few lines of plain JavaScript evaluated as a script
 * (no module graph, no type stripping, the same under CommonJS or ESM), so it costs an isolate's
 * bare minimum (~15 MB RSS). libuv's thread pool is no substitute: there, hash jobs queue behind
 * the block writes.
 *
 * The worker never copies a block: it hashes views of a SharedArrayBuffer (the put's pooled
 * leaves, FsBlockstore's direct-read buffers) in place. Anything else is hashed here,
 * synchronously, as are small blocks, for which a message costs more than the hash. (Handing it
 * blocks read into ordinary buffers, transferred there and back, measured no faster.)
 */

/** Below this, hashing here is cheaper than a round trip to the worker. */
const MIN_OFFLOAD = 64 * 1024;

const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { hash } = process.getBuiltinModule('node:crypto');
parentPort.on('message', (m) => {
  try {
    parentPort.postMessage({ digest: hash('sha256', new Uint8Array(m.buffer, m.offset, m.length), 'buffer') });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
});
`;

type Reply = { digest?: Uint8Array; error?: string };
type Pending = { resolve: (reply: Reply) => void; reject: (error: unknown) => void };

let worker: Worker | undefined;
/** Replies come in request order (one worker, one queue): resolvers wait here in that order. */
const pending: Pending[] = [];
/** Set once the worker could not start or died: every digest is then computed here. */
let unavailable = false;

function getWorker(): Worker | undefined {
  if (unavailable) return undefined;
  if (worker !== undefined) return worker;
  try {
    const started = new Worker(WORKER_SOURCE, { eval: true, stdout: false, stderr: false });
    started.on('message', (reply: Reply) => {
      const next = pending.shift();
      if (pending.length === 0) started.unref();
      next?.resolve(reply);
    });
    const fail = (error: unknown) => {
      unavailable = true;
      worker = undefined;
      for (let p = pending.shift(); p !== undefined; p = pending.shift()) p.reject(error);
    };
    started.on('error', fail);
    started.on('exit', (code) => fail(new Error(`the hash worker exited (${code})`)));
    started.unref();
    worker = started;
  } catch {
    unavailable = true;
  }
  return worker;
}

function request(message: object): Promise<Reply> | undefined {
  const w = getWorker();
  if (w === undefined) return undefined;
  w.postMessage(message);
  if (pending.length === 0) w.ref();
  return new Promise<Reply>((resolve, reject) => pending.push({ resolve, reject }));
}

/**
 * SHA-256 of bytes the caller leaves untouched until this resolves. A view of a SharedArrayBuffer
 * is hashed on the worker, in place, unless `queue` or more hashes are waiting for it there;
 * anything else here.
 */
export async function sha256Shared(
  bytes: Uint8Array,
  options: { queue?: number } = {},
): Promise<Uint8Array> {
  if (
    bytes.length >= MIN_OFFLOAD &&
    bytes.buffer instanceof SharedArrayBuffer &&
    pending.length < (options.queue ?? Number.POSITIVE_INFINITY)
  ) {
    const reply = request({ buffer: bytes.buffer, offset: bytes.byteOffset, length: bytes.length });
    if (reply !== undefined) {
      try {
        return digestOf(await reply);
      } catch (error) {
        // The worker died: the bytes are still ours (shared, not transferred), so hash them here.
        if (!unavailable) throw error;
      }
    }
  }
  return hash('sha256', bytes, 'buffer');
}

function digestOf(reply: Reply): Uint8Array {
  if (reply.digest === undefined) throw new Error(reply.error ?? 'the hash worker failed');
  return reply.digest;
}
