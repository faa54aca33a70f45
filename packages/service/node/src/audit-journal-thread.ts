import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import {
  type AuditEntryRow,
  AuditJournal,
  type AuditRelease,
  type AuditWriter,
} from './audit-journal.ts';
import type { Outbox } from './outbox.ts';
import type { Hex } from './ports.ts';
import { WORKER_RESOURCE_LIMITS } from './worker-limits.ts';

type Waiter = { resolve: (row: AuditEntryRow) => void; reject: (error: unknown) => void };

/** The journal failed to make an audit entry durable: the release it guards must not happen. */
export class AuditWriteError extends Error {
  override name = 'AuditWriteError';
}

/**
 * The audit journal with its group commits in a worker thread (its own SQLite connection, WAL):
 * appends are posted to the thread, which batches whatever arrived while it was fsyncing the
 * previous group into the next transaction. Same guarantees as AuditJournal: an append resolves
 * only once its entry and audit intent are committed; reads use the caller's connection.
 */
export class AuditJournalThread implements AuditWriter {
  readonly #file: string;
  readonly #reader: AuditJournal;
  readonly #waiting = new Map<number, Waiter>();
  #worker: Worker | undefined;
  #next = 0;
  #closed = false;

  constructor(file: string, db: DatabaseSync, outbox: Outbox) {
    this.#file = file;
    this.#reader = new AuditJournal(db, outbox);
  }

  append(release: AuditRelease, at = Date.now()): Promise<AuditEntryRow> {
    if (this.#closed) return Promise.reject(new AuditWriteError('the audit journal is closed'));
    const worker = this.#start();
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ type: 'append', id, release, at });
    });
  }

  list(patient: Hex, afterId: number, limit: number): AuditEntryRow[] {
    return this.#reader.list(patient, afterId, limit);
  }

  /** Lets appends in flight commit, then stops the thread. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' });
    await exited;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./audit-thread-worker.ts', import.meta.url), {
      workerData: { file: this.#file },
      resourceLimits: WORKER_RESOURCE_LIMITS,
    });
    worker.on(
      'message',
      (message: { type: string; id?: number; row?: AuditEntryRow; error?: string }) => {
        if (message.type !== 'done' || message.id === undefined) return;
        const waiter = this.#waiting.get(message.id);
        this.#waiting.delete(message.id);
        if (!waiter) return;
        if (message.row) waiter.resolve(message.row);
        else
          waiter.reject(
            new AuditWriteError(`audit entry not written (${message.error ?? 'Error'})`),
          );
      },
    );
    const fail = (error: unknown) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const waiter of this.#waiting.values()) waiter.reject(error);
      this.#waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new AuditWriteError('the audit thread exited')));
    this.#worker = worker;
    return worker;
  }
}
