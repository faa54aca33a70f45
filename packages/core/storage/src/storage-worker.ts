import { Worker } from 'node:worker_threads';

/**
 * The one worker thread this package runs per process, for the two jobs that must stay off the
 * event loop: SHA-256 of shared leaves (sha256-worker.ts) and WAL checkpoints of SQLite files
 * (wal-checkpointer.ts). One isolate, not one per job: each costs some 15 MB of RSS, and a node's
 * budget is 200 MB.
 *
 * Started on first use and `unref`'d while no answer is awaited, so it never keeps a process
 * alive. Its code is a few lines of plain JavaScript evaluated as a script (no module graph, no
 * type stripping, the same under CommonJS or ESM). It answers every request, in the order asked
 * (one thread, one queue), so callers wait in that order. A checkpoint runs between requests: a
 * hash asked meanwhile waits for it (a checkpoint copies a few pages; a leaf's hash takes longer).
 */

/**
 * How often the worker checkpoints each database it watches. Once a checkpoint has copied the
 * whole WAL, the writer's next commit starts the WAL over, and SQLite fsyncs the new WAL header
 * inside that commit, on the writer's thread, whatever its `synchronous` setting. Every 100 ms,
 * that was up to ten fsyncs a second per database on the node's event loop, five databases in
 * all (measured: about a hundred in three seconds of a FHIR import, 0.7 ms each). Once a second
 * it is a tenth of that, the worker's own fsyncs (two per checkpoint) too, and a page written many
 * times in a second is copied once: paired FHIR imports ran 7% faster on average (six pairs).
 * The WAL restarts only when a checkpoint finds nothing newer to copy, so under steady writes it
 * grows for a while (7 to 60 MB seen for node.sqlite in a FHIR import), up to the writer's
 * fallback bound (FALLBACK_AUTOCHECKPOINT_PAGES), where the writer checkpoints the little the
 * worker has not yet copied.
 */
export const CHECKPOINT_EVERY_MS = 1000;

const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { hash } = process.getBuiltinModule('node:crypto');
const watched = new Map();
let timer;
function checkpointAll() {
  for (const db of watched.values()) {
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // Busy (another checkpoint) or gone (the file was removed): the next round tries again.
    }
  }
}
const handlers = {
  hash(m) {
    return { digest: hash('sha256', new Uint8Array(m.buffer, m.offset, m.length), 'buffer') };
  },
  watch(m) {
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
    const db = new DatabaseSync(m.file);
    // Never wait for a lock: the writer comes first, and the next round comes soon. FULL: the
    // WAL is synced before the database is written, the database after.
    db.exec('PRAGMA busy_timeout = 0; PRAGMA synchronous = FULL;');
    watched.set(m.key, db);
    timer ??= setInterval(checkpointAll, ${CHECKPOINT_EVERY_MS});
    return {};
  },
  unwatch(m) {
    try {
      watched.get(m.key)?.close();
    } finally {
      watched.delete(m.key);
      if (watched.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    }
    return {};
  },
};
parentPort.on('message', (m) => {
  let reply;
  try {
    reply = handlers[m.op](m);
  } catch (error) {
    reply = { error: String(error) };
  }
  parentPort.postMessage(reply);
});
`;

export type StorageWorkerRequest =
  | { op: 'hash'; buffer: SharedArrayBuffer; offset: number; length: number }
  | { op: 'watch'; key: number; file: string }
  | { op: 'unwatch'; key: number };

export type StorageWorkerReply = { digest?: Uint8Array; error?: string };

type Pending = { resolve: (reply: StorageWorkerReply) => void; reject: (error: unknown) => void };

let worker: Worker | undefined;
/** Replies come in request order: resolvers wait here in that order. */
const pending: Pending[] = [];
/** Set once the worker could not start or died: callers then do the work themselves. */
let unavailable = false;

function getWorker(): Worker | undefined {
  if (unavailable) return undefined;
  if (worker !== undefined) return worker;
  try {
    const started = new Worker(WORKER_SOURCE, { eval: true, stdout: false, stderr: false });
    started.on('message', (reply: StorageWorkerReply) => {
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
    started.on('exit', (code) => fail(new Error(`the storage worker exited (${code})`)));
    started.unref();
    worker = started;
  } catch {
    unavailable = true;
  }
  return worker;
}

/**
 * Sends a request to the worker; its answer, or undefined if there is no worker (it could not
 * start, or died: the caller does the work itself). Rejects if the worker dies before answering.
 */
export function askStorageWorker(
  request: StorageWorkerRequest,
): Promise<StorageWorkerReply> | undefined {
  const w = getWorker();
  if (w === undefined) return undefined;
  w.postMessage(request);
  if (pending.length === 0) w.ref();
  return new Promise<StorageWorkerReply>((resolve, reject) => pending.push({ resolve, reject }));
}

/** Answers awaited from the worker (requests it has not answered yet). */
export function storageWorkerBacklog(): number {
  return pending.length;
}

/** Whether the worker has died or could not start (then every job runs on the caller's thread). */
export function storageWorkerUnavailable(): boolean {
  return unavailable;
}
