import type { DatabaseSync } from 'node:sqlite';
import { askStorageWorker } from './storage-worker.ts';

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
 * Here the storage worker (storage-worker.ts, the thread that also hashes leaves) holds a second
 * connection to each registered database and asks for a PASSIVE checkpoint every
 * CHECKPOINT_EVERY_MS: it copies what no reader still needs, never blocks the writer, and gives
 * way (SQLITE_BUSY) while another checkpoint runs. The writer keeps `wal_autocheckpoint` at
 * FALLBACK_AUTOCHECKPOINT_PAGES, so that the WAL stays bounded if the worker is dead or slower
 * than the writes (a worker that cannot start leaves that bound alone). Durability is unchanged:
 * a commit is durable once its WAL frames are synced, whoever checkpoints them later (the
 * worker's connection checkpoints with synchronous = FULL: the WAL is synced before the database
 * is written, the database after).
 *
 * A database opened with `locking_mode = EXCLUSIVE` cannot have a second connection: the
 * ObjectStore's index takes its ownership lock on a file of its own (owner-lock.sqlite) for that.
 */

/** The writer's own `wal_autocheckpoint` while a worker checkpoints for it: 64 MiB of WAL. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_384;

let nextKey = 1;

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
  const watching = askStorageWorker({ op: 'watch', key, file });
  // A worker that dies before answering leaves the writer's fallback to checkpoint.
  const watched = (watching ?? Promise.resolve({ error: 'no worker' })).then(
    (reply) => reply.error === undefined,
    () => false,
  );
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= (async () => {
        if (await watched) await askStorageWorker({ op: 'unwatch', key })?.catch(() => {});
      })();
      return released;
    },
  };
}
