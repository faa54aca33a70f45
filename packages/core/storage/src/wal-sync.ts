import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { fsyncDirectory } from './fsync.ts';

/**
 * Durability for a WAL-mode SQLite database whose writer commits with synchronous = NORMAL: an
 * fdatasync of its -wal file, on libuv's pool instead of inside COMMIT on the event loop.
 *
 * With synchronous = FULL, SQLite fsyncs the WAL inside every COMMIT, and node:sqlite runs COMMIT
 * on the calling thread: a node storing a batch waited on each of its databases' fsyncs in turn
 * (1.3 of the 2.7 ms a small-block table's commit took, measured). With NORMAL, a commit's frames
 * are written to the WAL (so a crash of the process loses nothing) and synced only before a
 * checkpoint; `afterCommit` syncs them now, and once it resolves the commit survives power loss,
 * exactly as under FULL. Syncs of several databases then run side by side while the thread goes on.
 *
 * What a caller gives up: other code on the thread can read a commit before it is on disk. Use it
 * only where nothing acts on such a row outside the process before the writer's `afterCommit`
 * resolves (see SmallBlockTable and ObjectIndex.commitMany).
 */
export class WalSync {
  readonly #walFile: string;
  /** The WAL, opened at the first sync (SQLite creates it at the first commit). */
  #wal: Promise<FileHandle> | undefined;
  /** The sync started after the latest commit (see `afterCommit`). */
  #synced: Promise<void> = Promise.resolve();

  /** For the database `file` (its WAL is `file`-wal). */
  constructor(file: string) {
    this.#walFile = `${file}-wal`;
  }

  /**
   * Call right after a commit: resolves once that commit is on disk. The sync is started here,
   * after the commit's frames were written, so it covers them, and every commit before.
   */
  afterCommit(): Promise<void> {
    this.#synced = this.#sync();
    return this.#synced;
  }

  /**
   * Resolves once the latest commit so far is on disk: for a caller whose rows another caller's
   * commit may have written (a table whose staged rows anyone's flush commits).
   */
  latest(): Promise<void> {
    return this.#synced;
  }

  /** Closes the WAL's handle (after the last commit's sync). */
  async close(): Promise<void> {
    await this.#synced.catch(() => {});
    await (await this.#wal?.catch(() => undefined))?.close();
    this.#wal = undefined;
  }

  async #sync(): Promise<void> {
    if (this.#wal === undefined) {
      // The directory entry too, the first time: SQLite created the file.
      const opening = open(this.#walFile, 'r').then(async (handle) => {
        await fsyncDirectory(path.dirname(this.#walFile));
        return handle;
      });
      this.#wal = opening;
      // A failed open is tried again at the next commit.
      opening.catch(() => {
        if (this.#wal === opening) this.#wal = undefined;
      });
    }
    await (await this.#wal).datasync();
  }
}

/**
 * Runs `fn` on a synchronous = FULL connection with synchronous = NORMAL: its commits reach the
 * WAL, so they survive the process dying, but reach the disk only with the next FULL commit, a
 * checkpoint, or a WalSync. For state whose loss to a power cut recovery makes good by itself, or
 * whose commit is followed by `WalSync.afterCommit` before anyone relies on it.
 */
export function withoutFsync<T>(db: DatabaseSync, fn: () => T): T {
  // Inside a transaction SQLite refuses the change; the transaction's commit decides, as it should.
  if (db.isTransaction) return fn();
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
}
