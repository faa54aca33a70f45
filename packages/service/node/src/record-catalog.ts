import type { DatabaseSync } from 'node:sqlite';
import { transaction } from '@aegle/storage';
import { RecordExistsError } from './errors.ts';
import type { AnchorPayload } from './merkle-batch.ts';
import type { Outbox } from './outbox.ts';
import type { Hex } from './ports.ts';

export type RecordMeta = {
  seq: number;
  recordId: Hex;
  patient: Hex;
  creator: Hex;
  category: Hex;
  cid: string;
  size: number;
  createdAt: number;
  /** The client-encrypted metadata envelope (opaque to the node). */
  metadata?: Uint8Array;
};

export type NewRecord = {
  recordId: Hex;
  patient: Hex;
  creator: Hex;
  category: Hex;
  cid: string;
  size: number;
  /** The client-encrypted metadata envelope. */
  metadata?: Uint8Array;
  /** The data key wrapped for each recipient: opaque bytes the node never unwraps. */
  wrappedKeys: ReadonlyArray<{ recipient: Hex; wrappedKey: Uint8Array }>;
  /** The creator's signed anchor entry, journaled as the record's 'anchor' intent. */
  entry: AnchorPayload;
};

type Row = Record<string, unknown>;

function statements(db: DatabaseSync) {
  const p = (sql: string) => db.prepare(sql);
  return {
    add: p(`INSERT INTO records (record_id, patient, creator, category, cid, size, entry, created_at, metadata)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING`),
    get: p(
      'SELECT seq, record_id, patient, creator, category, cid, size, created_at, metadata FROM records WHERE record_id = ?',
    ),
    entry: p('SELECT entry FROM records WHERE record_id = ?'),
    exists: p('SELECT 1 AS x FROM records WHERE record_id = ?'),
    existing: p(
      'SELECT record_id FROM records WHERE record_id IN (SELECT value FROM json_each(?))',
    ),
    page: p(`SELECT seq, record_id, patient, creator, category, cid, size, created_at, metadata FROM records
             WHERE patient = ? AND seq > ? ORDER BY seq LIMIT ?`),
    // Keys are filed under the record's seq, not its random id: a new record's keys go to the end
    // of the table instead of into a page of their own each (see open-node-database.ts).
    addKey: p(`INSERT INTO record_keys (record_seq, recipient, wrapped_key) VALUES (?, ?, ?)
               ON CONFLICT (record_seq, recipient) DO UPDATE SET wrapped_key = excluded.wrapped_key`),
    putKey: p(`INSERT INTO record_keys (record_seq, recipient, wrapped_key)
               SELECT seq, ?2, ?3 FROM records WHERE record_id = ?1
               ON CONFLICT (record_seq, recipient) DO UPDATE SET wrapped_key = excluded.wrapped_key`),
    key: p(`SELECT wrapped_key FROM record_keys
            WHERE record_seq = (SELECT seq FROM records WHERE record_id = ?) AND recipient = ?`),
    cidInUse: p('SELECT 1 AS x FROM records WHERE patient = ? AND cid = ? LIMIT 1'),
    deleteKey: p(`DELETE FROM record_keys
                  WHERE record_seq = (SELECT seq FROM records WHERE record_id = ?) AND recipient = ?`),
    recipients: p(`SELECT recipient FROM record_keys
                   WHERE record_seq = (SELECT seq FROM records WHERE record_id = ?) ORDER BY recipient`),
  };
}

/**
 * Record metadata and wrapped keys. A record, its keys and its anchor intent are written in one
 * transaction: once `add` returns, the record is listed and its anchoring is journaled.
 * Addresses and ids are stored lower-case so lookups never depend on checksum casing.
 */
export class RecordCatalog {
  readonly #db: DatabaseSync;
  readonly #outbox: Outbox;
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: DatabaseSync, outbox: Outbox) {
    this.#db = db;
    this.#outbox = outbox;
    this.#sql = statements(db);
  }

  /**
   * Stores a record and journals its anchor; throws RecordExistsError for a known record id.
   * `alsoInTransaction` runs inside the same transaction (the upload's row is removed there).
   */
  add(record: NewRecord, now = Date.now(), alsoInTransaction?: () => void): RecordMeta {
    return this.addMany([record], now, alsoInTransaction)[0] as RecordMeta;
  }

  /**
   * Stores records and journals their anchors, all in one transaction: all of them or none
   * (RecordExistsError if any id is known). Returns them in the order given.
   */
  addMany(records: NewRecord[], now = Date.now(), alsoInTransaction?: () => void): RecordMeta[] {
    const ids = records.map((r) => r.recordId.toLowerCase() as Hex);
    // What `get` would read back, from what was inserted (seq: the row id SQLite assigned).
    const added: RecordMeta[] = [];
    transaction(this.#db, () => {
      records.forEach((record, i) => {
        const id = ids[i] as Hex;
        const run = this.#sql.add.run(
          id,
          record.patient.toLowerCase(),
          record.creator.toLowerCase(),
          record.category.toLowerCase(),
          record.cid,
          record.size,
          JSON.stringify(record.entry),
          now,
          record.metadata ?? null,
        );
        if (Number(run.changes) === 0) throw new RecordExistsError();
        const seq = Number(run.lastInsertRowid);
        added.push({
          seq,
          recordId: id,
          patient: record.patient.toLowerCase() as Hex,
          creator: record.creator.toLowerCase() as Hex,
          category: record.category.toLowerCase() as Hex,
          cid: record.cid,
          size: record.size,
          createdAt: now,
          ...(record.metadata != null && { metadata: new Uint8Array(record.metadata) }),
        });
        for (const { recipient, wrappedKey } of record.wrappedKeys) {
          this.#sql.addKey.run(seq, recipient.toLowerCase(), wrappedKey);
        }
        this.#outbox.append('anchor', `anchor:${id}`, record.entry, now);
      });
      alsoInTransaction?.();
    });
    return added;
  }

  has(recordId: Hex): boolean {
    return this.#sql.exists.get(recordId.toLowerCase()) !== undefined;
  }

  /** Which of these record ids (lower-case) are known: one query for a batch, not one per id. */
  known(recordIds: readonly Hex[]): Set<Hex> {
    const rows = this.#sql.existing.all(JSON.stringify(recordIds)) as Row[];
    return new Set(rows.map((row) => row.record_id as Hex));
  }

  get(recordId: Hex): RecordMeta | undefined {
    const row = this.#sql.get.get(recordId.toLowerCase()) as Row | undefined;
    return row && toMeta(row);
  }

  entry(recordId: Hex): AnchorPayload | undefined {
    const row = this.#sql.entry.get(recordId.toLowerCase()) as Row | undefined;
    return row && (JSON.parse(String(row.entry)) as AnchorPayload);
  }

  /** A patient's records after `afterSeq`, oldest first. */
  list(patient: Hex, afterSeq: number, limit: number): RecordMeta[] {
    return (this.#sql.page.all(patient.toLowerCase(), afterSeq, limit) as Row[]).map(toMeta);
  }

  wrappedKey(recordId: Hex, recipient: Hex): Uint8Array | undefined {
    const row = this.#sql.key.get(recordId.toLowerCase(), recipient.toLowerCase()) as
      | Row
      | undefined;
    return row && (row.wrapped_key as Uint8Array);
  }

  /** Files (or replaces) a recipient's wrapped key for a known record; nothing for an unknown one. */
  putWrappedKey(recordId: Hex, recipient: Hex, wrappedKey: Uint8Array): void {
    this.#sql.putKey.run(recordId.toLowerCase(), recipient.toLowerCase(), wrappedKey);
  }

  /** Removes a recipient's wrapped key; false if there was none. */
  deleteWrappedKey(recordId: Hex, recipient: Hex): boolean {
    return (
      Number(this.#sql.deleteKey.run(recordId.toLowerCase(), recipient.toLowerCase()).changes) > 0
    );
  }

  /** Whether a record of `patient` is stored as the object `cid`. */
  cidInUse(patient: Hex, cid: string): boolean {
    return this.#sql.cidInUse.get(patient.toLowerCase(), cid) !== undefined;
  }

  recipients(recordId: Hex): Hex[] {
    return (this.#sql.recipients.all(recordId.toLowerCase()) as Row[]).map(
      (r) => r.recipient as Hex,
    );
  }
}

function toMeta(row: Row): RecordMeta {
  return {
    seq: Number(row.seq),
    recordId: row.record_id as Hex,
    patient: row.patient as Hex,
    creator: row.creator as Hex,
    category: row.category as Hex,
    cid: String(row.cid),
    size: Number(row.size),
    createdAt: Number(row.created_at),
    ...(row.metadata != null && { metadata: row.metadata as Uint8Array }),
  };
}
