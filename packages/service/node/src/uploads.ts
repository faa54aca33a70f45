import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { ObjectStore } from '@aegle/storage';
import { transaction } from '@aegle/storage';
import type { Hex } from './ports.ts';

/** A ciphertext streamed with POST /uploads, stored and waiting for its commit (POST /records). */
export type Upload = {
  id: string;
  caller: Hex;
  patient: Hex;
  category?: Hex;
  cid: string;
  contentRoot: Hex;
  size: number;
  expiresAt: number;
};

type Row = Record<string, unknown>;

/**
 * Uploads not yet committed, in node.sqlite. The row is written ('streaming') before the first
 * byte reaches the ObjectStore, and completed ('stored') with the CID once the object is in: so
 * after a crash mid-stream the node still knows whose account may hold an object no record or
 * upload names, and deletes it. A stored upload that is not committed before `expiresAt` is
 * deleted too (object and quota). A commit removes the row in the transaction that adds the record.
 */
export class Uploads {
  readonly #db: DatabaseSync;
  readonly #sql;

  constructor(db: DatabaseSync) {
    this.#db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#sql = {
      begin:
        p(`INSERT INTO uploads (id, caller, patient, category, state, size, created_at, expires_at)
                VALUES (?, ?, ?, ?, 'streaming', ?, ?, ?)`),
      stored: p(`UPDATE uploads SET state = 'stored', cid = ?, content_root = ?, size = ?
                 WHERE id = ? AND state = 'streaming'`),
      get: p(`SELECT id, caller, patient, category, cid, content_root, size, expires_at FROM uploads
              WHERE id = ? AND state = 'stored'`),
      remove: p('DELETE FROM uploads WHERE id = ?'),
      expired: p(
        `SELECT id, patient, cid, state FROM uploads WHERE expires_at <= ? ORDER BY expires_at LIMIT 256`,
      ),
      streaming: p(`SELECT id, patient FROM uploads WHERE state = 'streaming'`),
      cidInUse: p(`SELECT 1 AS x FROM uploads WHERE patient = ? AND cid = ? AND id != ?
                   UNION ALL SELECT 1 FROM records WHERE patient = ? AND cid = ? LIMIT 1`),
      namedByPatient: p(`SELECT cid FROM records WHERE patient = ?1
                         UNION SELECT cid FROM uploads WHERE patient = ?1 AND cid IS NOT NULL`),
    };
  }

  /** Journals an upload about to stream (fsynced before the first byte is stored). */
  begin(
    input: { caller: Hex; patient: Hex; category?: Hex; size: number },
    now: number,
    ttlMs: number,
    id = randomBytes(16).toString('hex'),
  ): string {
    this.#sql.begin.run(
      id,
      input.caller,
      input.patient,
      input.category ?? null,
      input.size,
      now,
      now + ttlMs,
    );
    return id;
  }

  /** Journals the uploads of a batch in one transaction (one fsync), as `begin` does one. */
  beginMany(
    inputs: { caller: Hex; patient: Hex; category?: Hex; size: number }[],
    now: number,
    ttlMs: number,
  ): string[] {
    // One draw of randomness for the batch (13 µs a call, measured), not one per upload.
    const ids = randomBytes(16 * inputs.length).toString('hex');
    return transaction(this.#db, () =>
      inputs.map((input, i) => this.begin(input, now, ttlMs, ids.slice(32 * i, 32 * (i + 1)))),
    );
  }

  stored(id: string, cid: string, contentRoot: Hex, size: number): void {
    this.#sql.stored.run(cid, contentRoot, size, id);
  }

  /** The caller's stored, unexpired upload. */
  get(id: string, caller: Hex, now: number): Upload | undefined {
    const row = this.#sql.get.get(id) as Row | undefined;
    if (!row || row.caller !== caller || Number(row.expires_at) <= now) return undefined;
    return {
      id: String(row.id),
      caller: row.caller as Hex,
      patient: row.patient as Hex,
      ...(row.category !== null && { category: row.category as Hex }),
      cid: String(row.cid),
      contentRoot: row.content_root as Hex,
      size: Number(row.size),
      expiresAt: Number(row.expires_at),
    };
  }

  /** Forgets an upload (inside the commit's transaction, or after a failed stream). */
  remove(id: string): void {
    this.#sql.remove.run(id);
  }

  /** Whether any record or other upload of `patient` is stored as `cid`. */
  cidInUse(patient: Hex, cid: string, exceptUpload = ''): boolean {
    return this.#sql.cidInUse.get(patient, cid, exceptUpload, patient, cid) !== undefined;
  }

  /**
   * Deletes expired uploads (their objects too, unless a record or another upload uses the same
   * bytes). Run periodically; returns how many were removed.
   */
  async sweepExpired(store: ObjectStore, now: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const rows = this.#sql.expired.all(now) as Row[];
      if (rows.length === 0) return removed;
      for (const row of rows) {
        const patient = row.patient as Hex;
        const id = String(row.id);
        if (row.cid !== null && !this.cidInUse(patient, String(row.cid), id)) {
          await store.delete(patient, String(row.cid)).catch(() => {});
        }
        this.#sql.remove.run(id);
        removed++;
      }
    }
  }

  /**
   * At start, before serving: an upload still 'streaming' was cut by a crash. The ObjectStore
   * rolls back a put it had not committed; one it had committed is an object of the patient that
   * no record or upload names, which is deleted here.
   */
  async recoverInterrupted(store: ObjectStore): Promise<number> {
    const rows = this.#sql.streaming.all() as Row[];
    let deleted = 0;
    for (const patient of new Set(rows.map((r) => r.patient as Hex))) {
      const named = new Set(
        (this.#sql.namedByPatient.all(patient) as Row[]).map((r) => String(r.cid)),
      );
      for (const object of store.list(patient)) {
        if (named.has(object.cid.toString())) continue;
        await store.delete(patient, object.cid).catch(() => {});
        deleted++;
      }
    }
    for (const row of rows) this.#sql.remove.run(String(row.id));
    return deleted;
  }

  get db(): DatabaseSync {
    return this.#db;
  }
}
