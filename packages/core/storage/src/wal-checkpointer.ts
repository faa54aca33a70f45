import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints of SQLite databases, run on a worker thread instead of inside the writer's
 * commits.
 *
 * In WAL mode a commit appends pages to the -wal file; a checkpoint copies them back into the
 * database and fsyncs it. SQLite runs one inside whichever commit takes the WAL past
 * `wal_autocheckpoint` pages (1,000 by default), synchronously: on the node's event loop, a batch
 * of 70 records commits 280 fresh pages to node.sqlite (the random-key indexes of record ids,
 * wrapped keys and intents each touch a page per record), so every fourth batch paid a
 * checkpoint, and half of the node's commit time was checkpoints (measured: 10.4 ms per batch
 * commit with them, 5.5 without).
 *
 * Here a worker holds a second connection to each registered database and asks for a PASSIVE
 * checkpoint every CHECKPOINT_EVERY_MS: it copies what no reader still needs, never blocks the
 * writer, and gives way (SQLITE_BUSY) while another checkpoint runs. The writer keeps
 * `wal_autocheckpoint` at FALLBACK_AUTOCHECKPOINT_PAGES, so that the WAL stays bounded if the
 * worker is dead or slower than the writes (a worker that cannot start leaves that bound alone). Durability is unchanged: a commit is durable once
 * its WAL frames are synced, whoever checkpoints them later (the worker's connection checkpoints
 * with synchronous = FULL: the WAL is synced before the database is written, the database
 * after).
 *
 * One worker per process, started on first use, `unref`'d so that it never keeps a process
 * alive; its code is plain JavaScript evaluated as a script, as sha256-worker.ts's is. A
 * database opened with `locking_mode = EXCLUSIVE` cannot have a second connection: the
 * ObjectStore's index takes its ownership lock on a file of its own (owner-lock.sqlite) for that.
 */

/** How often the worker checkpoints each database: a batch's pages, not a backlog, each time. */
export const CHECKPOINT_EVERY_MS = 100;

/** The writer's own `wal_autocheckpoint` while a worker checkpoints for it: 64 MiB of WAL. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_384;

const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const open = new Map();
let timer;
function checkpointAll() {
  for (const db of open.values()) {
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // Busy (another checkpoint) or gone (the file was removed): the next round tries again.
    }
  }
}
parentPort.on('message', (m) => {
  if (m.add !== undefined) {
    let error;
    try {
      const db = new DatabaseSync(m.add);
      // Never wait for a lock: the writer comes first, and the next round comes soon.
      db.exec('PRAGMA busy_timeout = 0; PRAGMA synchronous = FULL;');
      open.set(m.key, db);
    } catch (e) {
      error = String(e);
    }
    if (open.size > 0 && timer === undefined) timer = setInterval(checkpointAll, ${CHECKPOINT_EVERY_MS});
    parentPort.postMessage({ key: m.key, error });
  } else {
    try {
      open.get(m.key)?.close();
    } catch {}
    open.delete(m.key);
    if (open.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
    parentPort.postMessage({ key: m.key });
  }
});
`;

type Reply = { key: number; error?: string };

let worker: Worker | undefined;
let unavailable = false;
let nextKey = 1;
/** Answers awaited from the worker, by request key. */
const waiting = new Map<number, (reply: Reply) => void>();

function ask(message: { key: number; add?: string }): Promise<Reply> | undefined {
  if (unavailable) return undefined;
  if (worker === undefined) {
    try {
      const started = new Worker(WORKER_SOURCE, { eval: true, stdout: false, stderr: false });
      started.on('message', (reply: Reply) => {
        waiting.get(reply.key)?.(reply);
        waiting.delete(reply.key);
        if (waiting.size === 0) started.unref();
      });
      const fail = () => {
        unavailable = true;
        worker = undefined;
        for (const [key, resolve] of waiting) resolve({ key, error: 'the checkpoint worker died' });
        waiting.clear();
      };
      started.on('error', fail);
      started.on('exit', fail);
      started.unref();
      worker = started;
    } catch {
      unavailable = true;
      return undefined;
    }
  }
  const reply = new Promise<Reply>((resolve) => waiting.set(message.key, resolve));
  worker.ref();
  worker.postMessage(message);
  return reply;
}

/** A database checkpointed by the worker, until `release`. */
export type BackgroundCheckpoints = {
  /** Closes the worker's connection; resolves once it is closed. Call before closing yours. */
  release(): Promise<void>;
};

/**
 * Has the worker checkpoint the WAL-mode database `file`, which `db` (the writer) has open, from
 * now on, and sets the writer's `wal_autocheckpoint` to FALLBACK_AUTOCHECKPOINT_PAGES. Call
 * `release` before closing `db`, so that its close, the last, checkpoints and removes the WAL.
 */
export function checkpointInBackground(db: DatabaseSync, file: string): BackgroundCheckpoints {
  db.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const key = nextKey++;
  const added = ask({ key, add: file });
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= (async () => {
        const reply = await added;
        if (reply !== undefined && reply.error === undefined) await ask({ key });
      })();
      return released;
    },
  };
}
