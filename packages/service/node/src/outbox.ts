import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { transaction } from './open-node-database.ts';
import type { Hex, IntentKind, OutboxIntent, RelayBatch } from './ports.ts';

export type IntentState = 'pending' | 'submitted' | 'confirmed' | 'failed';

export type IntentView = {
  id: number;
  key: string;
  kind: IntentKind;
  state: IntentState;
  createdAt: number;
  batch?: BatchView;
  leafIndex?: number;
};

export type BatchView = {
  id: number;
  kind: IntentKind;
  state: IntentState;
  attempts: number;
  nextAttemptAt: number;
  txHash?: Hex;
  lastError?: string;
  merkle?: { root: Hex; entryCount: number; cid: string };
  /** StandardMerkleTree.dump() of the batch, for proofs. */
  tree?: unknown;
  receipt?: Record<string, unknown>;
};

export type OutboxDepth = { pending: number; submitted: number; failed: number };

type Row = Record<string, unknown>;

function statements(db: DatabaseSync) {
  const p = (sql: string): StatementSync => db.prepare(sql);
  return {
    insert: p(`INSERT INTO outbox (idem_key, kind, payload, state, created_at, updated_at)
               VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (idem_key) DO NOTHING`),
    byKey: p('SELECT * FROM outbox WHERE idem_key = ?'),
    stateByKey: p('SELECT state FROM outbox WHERE idem_key = ?'),
    byId: p('SELECT * FROM outbox WHERE id = ?'),
    unbatched: p(
      'SELECT id, idem_key, kind, payload FROM outbox WHERE batch_id IS NULL AND kind = ? ORDER BY id LIMIT ?',
    ),
    unbatchedKinds: p('SELECT DISTINCT kind FROM outbox WHERE batch_id IS NULL'),
    assign: p(
      'UPDATE outbox SET batch_id = ?, leaf_index = ?, updated_at = ? WHERE id = ? AND batch_id IS NULL',
    ),
    addBatch:
      p(`INSERT INTO outbox_batches (kind, state, next_attempt_at, root, entry_count, cid, tree, created_at, updated_at)
                 VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?)`),
    batch: p('SELECT * FROM outbox_batches WHERE id = ?'),
    due: p(`SELECT id FROM outbox_batches WHERE state IN ('pending', 'submitted') AND next_attempt_at <= ?
            ORDER BY next_attempt_at, id LIMIT ?`),
    nextDue: p(
      `SELECT min(next_attempt_at) AS t FROM outbox_batches WHERE state IN ('pending', 'submitted')`,
    ),
    batchIntents: p(
      'SELECT id, idem_key, kind, payload FROM outbox WHERE batch_id = ? ORDER BY leaf_index, id',
    ),
    setBatch:
      p(`UPDATE outbox_batches SET state = ?, tx_hash = ?, next_attempt_at = ?, last_error = NULL,
                 updated_at = ? WHERE id = ? AND state NOT IN ('confirmed', 'failed')`),
    finishBatch: p(`UPDATE outbox_batches SET state = ?, receipt = ?, last_error = ?, updated_at = ?
                    WHERE id = ? AND state NOT IN ('confirmed', 'failed')`),
    retryBatch:
      p(`UPDATE outbox_batches SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                   updated_at = ? WHERE id = ?`),
    setIntents: p('UPDATE outbox SET state = ?, updated_at = ? WHERE batch_id = ?'),
    depth: p(`SELECT state, count(*) AS n FROM outbox WHERE state != 'confirmed' GROUP BY state`),
  };
}

/**
 * The durable outbox: every on-chain intent is a row before the API acknowledges it, keyed by an
 * idempotency key so a retried request never makes a second intent. A worker (outbox-worker.ts)
 * groups intents into batches, one chain transaction each, and walks them through
 * pending → submitted → confirmed (or failed). All state changes are single SQLite transactions,
 * so a crash at any point leaves a state the worker can resume from.
 */
export class Outbox {
  readonly db: DatabaseSync;
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.#sql = statements(db);
  }

  /**
   * Journals an intent; call it inside the transaction that makes the API's change durable, or on
   * its own (then it commits, fsynced, before returning). A key already journaled returns the
   * existing intent with `created: false`.
   */
  enqueue(
    kind: IntentKind,
    key: string,
    payload: unknown,
    now = Date.now(),
  ): { intent: IntentView; created: boolean } {
    const run = this.#sql.insert.run(key, kind, JSON.stringify(payload), now, now);
    const intent = this.getByKey(key);
    if (!intent) throw new Error('outbox insert vanished');
    return { intent, created: Number(run.changes) > 0 };
  }

  /** The intent with its batch (`batches` caches batch views across calls, e.g. within one page). */
  getByKey(key: string, batches?: Map<number, BatchView>): IntentView | undefined {
    const row = this.#sql.byKey.get(key) as Row | undefined;
    return row && this.#view(row, batches);
  }

  /** Just the state, without loading the batch: for listings. */
  stateByKey(key: string): IntentState | undefined {
    const row = this.#sql.stateByKey.get(key) as Row | undefined;
    return row && (row.state as IntentState);
  }

  get(id: number): IntentView | undefined {
    const row = this.#sql.byId.get(id) as Row | undefined;
    return row && this.#view(row);
  }

  payloadOf(id: number): unknown {
    const row = this.#sql.byId.get(id) as Row | undefined;
    return row && JSON.parse(String(row.payload));
  }

  /** Kinds that have intents waiting for a batch. */
  unbatchedKinds(): IntentKind[] {
    return (this.#sql.unbatchedKinds.all() as Row[]).map((r) => r.kind as IntentKind);
  }

  unbatched(kind: IntentKind, limit: number): OutboxIntent[] {
    return (this.#sql.unbatched.all(kind, limit) as Row[]).map(toIntent);
  }

  /** Groups intents (in leaf order) into a new pending batch, atomically. */
  createBatch(
    kind: IntentKind,
    intents: readonly OutboxIntent[],
    merkle: { root: Hex; entryCount: number; cid: string; tree: unknown } | undefined,
    now = Date.now(),
  ): number {
    return transaction(this.db, () => {
      const id = Number(
        this.#sql.addBatch.run(
          kind,
          now,
          merkle?.root ?? null,
          merkle?.entryCount ?? null,
          merkle?.cid ?? null,
          merkle ? JSON.stringify(merkle.tree) : null,
          now,
          now,
        ).lastInsertRowid,
      );
      intents.forEach((intent, index) => {
        const changed = this.#sql.assign.run(id, index, now, intent.id).changes;
        if (Number(changed) !== 1) throw new Error(`intent ${intent.id} is already in a batch`);
      });
      return id;
    });
  }

  batch(id: number): BatchView | undefined {
    const row = this.#sql.batch.get(id) as Row | undefined;
    return row && toBatch(row);
  }

  /** The batch as the relay sees it. */
  relayBatch(id: number): RelayBatch {
    const batch = this.batch(id);
    if (!batch) throw new Error(`no batch ${id}`);
    const intents = (this.#sql.batchIntents.all(id) as Row[]).map(toIntent);
    return {
      key: `batch:${id}`,
      kind: batch.kind,
      intents,
      ...(batch.merkle && { merkle: batch.merkle }),
    };
  }

  dueBatches(now: number, limit: number): number[] {
    return (this.#sql.due.all(now, limit) as Row[]).map((r) => Number(r.id));
  }

  /** When the next batch is due, or undefined if none is open. */
  nextDue(): number | undefined {
    const row = this.#sql.nextDue.get() as Row;
    return row.t === null ? undefined : Number(row.t);
  }

  markSubmitted(id: number, txHash: Hex, nextCheckAt: number, now = Date.now()): void {
    this.#setState(id, 'submitted', txHash, nextCheckAt, now);
  }

  /** Back to pending after the tx vanished: the next submit uses the same batch key. */
  markDropped(id: number, now = Date.now()): void {
    this.#setState(id, 'pending', null, now, now);
  }

  /** Idempotent: confirming a confirmed (or failed) batch changes nothing. */
  markConfirmed(id: number, receipt: Record<string, unknown> | undefined, now = Date.now()): void {
    this.#finish(id, 'confirmed', receipt ? JSON.stringify(receipt, jsonBigint) : null, null, now);
  }

  markFailed(id: number, reason: string, now = Date.now()): void {
    this.#finish(id, 'failed', null, reason, now);
  }

  /** Counts a failed attempt (the chain was unreachable, say) and schedules the next. */
  scheduleRetry(id: number, error: string, at: number, now = Date.now()): void {
    this.#sql.retryBatch.run(at, error, now, id);
  }

  /** Intents not yet confirmed, by state (pending includes those not yet in a batch). */
  depth(): OutboxDepth {
    const depth: OutboxDepth = { pending: 0, submitted: 0, failed: 0 };
    for (const row of this.#sql.depth.all() as Row[]) {
      const state = row.state as keyof OutboxDepth;
      if (state in depth) depth[state] = Number(row.n);
    }
    return depth;
  }

  #setState(
    id: number,
    state: IntentState,
    txHash: string | null,
    next: number,
    now: number,
  ): void {
    transaction(this.db, () => {
      if (Number(this.#sql.setBatch.run(state, txHash, next, now, id).changes) > 0) {
        this.#sql.setIntents.run(state, now, id);
      }
    });
  }

  #finish(
    id: number,
    state: IntentState,
    receipt: string | null,
    reason: string | null,
    now: number,
  ): void {
    transaction(this.db, () => {
      if (Number(this.#sql.finishBatch.run(state, receipt, reason, now, id).changes) > 0) {
        this.#sql.setIntents.run(state, now, id);
      }
    });
  }

  #view(row: Row, batches?: Map<number, BatchView>): IntentView {
    const batchId = row.batch_id === null ? undefined : Number(row.batch_id);
    let batch = batchId === undefined ? undefined : batches?.get(batchId);
    if (batchId !== undefined && !batch) {
      batch = this.batch(batchId);
      if (batch) batches?.set(batchId, batch);
    }
    return {
      id: Number(row.id),
      key: String(row.idem_key),
      kind: row.kind as IntentKind,
      state: row.state as IntentState,
      createdAt: Number(row.created_at),
      ...(batch && { batch }),
      ...(row.leaf_index !== null && { leafIndex: Number(row.leaf_index) }),
    };
  }
}

function toIntent(row: Row): OutboxIntent {
  return {
    id: Number(row.id),
    key: String(row.idem_key),
    kind: row.kind as IntentKind,
    payload: JSON.parse(String(row.payload)),
  };
}

function toBatch(row: Row): BatchView {
  return {
    id: Number(row.id),
    kind: row.kind as IntentKind,
    state: row.state as IntentState,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    ...(row.tx_hash !== null && { txHash: row.tx_hash as Hex }),
    ...(row.last_error !== null && { lastError: String(row.last_error) }),
    ...(row.root !== null && {
      merkle: { root: row.root as Hex, entryCount: Number(row.entry_count), cid: String(row.cid) },
    }),
    ...(row.tree !== null && { tree: JSON.parse(String(row.tree)) }),
    ...(row.receipt !== null && { receipt: JSON.parse(String(row.receipt)) }),
  };
}

function jsonBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
