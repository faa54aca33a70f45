import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from '@aegle/storage';
import type { AuditPayload } from './merkle-batch.ts';
import type { Outbox } from './outbox.ts';
import type { Hex } from './ports.ts';

export type AuditRelease = { recordId: Hex; patient: Hex; reader: Hex; purpose: Hex };
export type AuditEntryRow = AuditRelease & { id: number; releasedAt: number };

/** What the API needs of an audit journal (in-thread, or in a worker thread). */
export interface AuditWriter {
  append(release: AuditRelease, at?: number): Promise<AuditEntryRow>;
  list(patient: Hex, afterId: number, limit: number): AuditEntryRow[];
}

type Waiter = {
  release: AuditRelease;
  at: number;
  resolve: (row: AuditEntryRow) => void;
  reject: (error: unknown) => void;
};

/**
 * The audit journal: every release of a record to someone other than its patient, made durable
 * before the first byte goes out. Appends that arrive together (same turn of the event loop, up to
 * `maxGroup`) share one transaction, so one fsync covers many reads ("group commit"); each append
 * resolves only once its transaction committed. The same transaction journals the entry's 'audit'
 * intent in the outbox, which later commits it to AuditLog inside a Merkle root.
 */
export class AuditJournal implements AuditWriter {
  readonly #db: DatabaseSync;
  readonly #outbox: Outbox;
  readonly #insert: StatementSync;
  readonly #page: StatementSync;
  readonly #maxGroup: number;
  #queue: Waiter[] = [];
  #scheduled = false;
  /** Called after each group is durable (the node wakes the outbox worker). */
  onCommit: (() => void) | undefined;

  constructor(db: DatabaseSync, outbox: Outbox, options: { maxGroup?: number } = {}) {
    this.#db = db;
    this.#outbox = outbox;
    this.#maxGroup = options.maxGroup ?? 1024;
    this.#insert = db.prepare(
      'INSERT INTO audit_entries (record_id, patient, reader, purpose, released_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#page = db.prepare(
      `SELECT a.id, a.record_id, a.patient, a.reader, a.purpose, a.released_at FROM audit_entries a
       WHERE a.patient = ? AND a.id > ? ORDER BY a.id LIMIT ?`,
    );
  }

  /** Journals one release; resolves once it is on disk. */
  append(release: AuditRelease, at = Date.now()): Promise<AuditEntryRow> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ release, at, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate, not nextTick: requests whose bytes arrive in the same I/O phase join the group.
        setImmediate(() => this.#flush());
      }
    });
  }

  /** A patient's releases after `afterId`, oldest first. */
  list(patient: Hex, afterId: number, limit: number): AuditEntryRow[] {
    return (this.#page.all(patient, afterId, limit) as Record<string, unknown>[]).map((row) => ({
      id: Number(row.id),
      recordId: row.record_id as Hex,
      patient: row.patient as Hex,
      reader: row.reader as Hex,
      purpose: row.purpose as Hex,
      releasedAt: Number(row.released_at),
    }));
  }

  #flush(): void {
    const group = this.#queue.splice(0, this.#maxGroup);
    this.#scheduled = this.#queue.length > 0;
    if (this.#scheduled) setImmediate(() => this.#flush());
    let rows: AuditEntryRow[];
    try {
      rows = transaction(this.#db, () =>
        group.map(({ release, at }) => {
          const releasedAt = Math.floor(at / 1000);
          const id = Number(
            this.#insert.run(
              release.recordId,
              release.patient,
              release.reader,
              release.purpose,
              releasedAt,
            ).lastInsertRowid,
          );
          const payload: AuditPayload = { ...release, releasedAt };
          this.#outbox.append('audit', `audit:${id}`, payload, at);
          return { ...release, id, releasedAt };
        }),
      );
    } catch (error) {
      for (const waiter of group) waiter.reject(error);
      return;
    }
    group.forEach((waiter, i) => {
      waiter.resolve(rows[i] as AuditEntryRow);
    });
    this.onCommit?.();
  }
}
