import type { DatabaseSync } from 'node:sqlite';
import { transaction, type WalSync, withoutFsync } from '@aegle/storage';
import { proofFromHashes, treeNodeAt } from './merkle-batch.ts';
import type { Hex, IntentKind, OutboxIntent, RelayBatch } from './ports.ts';

export type IntentState = 'pending' | 'submitted' | 'confirmed' | 'failed';

export type BatchView = {
  id: number;
  kind: IntentKind;
  state: IntentState;
  attempts: number;
  nextAttemptAt: number;
  entryCount: number;
  txHash?: Hex;
  lastError?: string;
  merkle?: { root: Hex; entryCount: number; cid: string };
  receipt?: Record<string, unknown>;
};

export type IntentView = {
  id: number;
  key: string;
  kind: IntentKind;
  /** 'pending' until in a batch, then the batch's state. */
  state: IntentState;
  createdAt: number;
  batch?: BatchView;
};

/** Where a Merkle-batched intent stands, with its inclusion proof once it is in a batch. */
export type Inclusion = {
  state: IntentState;
  root?: Hex;
  leaf?: Hex;
  proof?: Hex[];
  cid?: string;
  txHash?: Hex;
  receipt?: Record<string, unknown>;
};

export type OutboxDepth = { pending: number; submitted: number; failed: number };

type Row = Record<string, unknown>;

function statements(db: DatabaseSync) {
  const p = (sql: string) => db.prepare(sql);
  return {
    insert: p(`INSERT INTO outbox (idem_key, kind, payload, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (idem_key) DO NOTHING`),
    byKey: p('SELECT id, idem_key, kind, batch_id, created_at FROM outbox WHERE idem_key = ?'),
    byId: p('SELECT id, idem_key, kind, batch_id, created_at FROM outbox WHERE id = ?'),
    payload: p('SELECT payload FROM outbox WHERE id = ?'),
    stateByKey: p(`SELECT coalesce(b.state, 'pending') AS state FROM outbox o
                   LEFT JOIN outbox_batches b ON b.id = o.batch_id WHERE o.idem_key = ?`),
    placeByKey:
      p(`SELECT o.tree_index, b.state, b.root, b.cid, b.tx_hash, b.receipt, b.tree FROM outbox o
                   LEFT JOIN outbox_batches b ON b.id = o.batch_id WHERE o.idem_key = ?`),
    unbatched: p(
      'SELECT id, idem_key, kind, payload FROM outbox WHERE batch_id IS NULL AND kind = ? ORDER BY id LIMIT ?',
    ),
    unbatchedKinds: p('SELECT DISTINCT kind FROM outbox WHERE batch_id IS NULL'),
    batchByRoot: p('SELECT id, cid, tree FROM outbox_batches WHERE root = ? AND kind = ?'),
    batchLeaves: p('SELECT payload, tree_index FROM outbox WHERE batch_id = ? ORDER BY leaf_index'),
    waiting: p(
      'SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE batch_id IS NULL AND kind = ?',
    ),
    unbatchedCount: p('SELECT count(*) AS n FROM outbox WHERE batch_id IS NULL'),
    assign: p(
      'UPDATE outbox SET batch_id = ?, leaf_index = ?, tree_index = ? WHERE id = ? AND batch_id IS NULL',
    ),
    addBatch:
      p(`INSERT INTO outbox_batches (kind, state, next_attempt_at, root, entry_count, cid, tree, created_at, updated_at)
                 VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?)`),
    batch:
      p(`SELECT id, kind, state, attempts, next_attempt_at, tx_hash, last_error, root, entry_count, cid, receipt
              FROM outbox_batches WHERE id = ?`),
    due: p(`SELECT id FROM outbox_batches WHERE state IN ('pending', 'submitted') AND next_attempt_at <= ?
            ORDER BY next_attempt_at, id LIMIT ?`),
    nextDue: p(
      `SELECT min(next_attempt_at) AS t FROM outbox_batches WHERE state IN ('pending', 'submitted')`,
    ),
    batchIntents: p(
      'SELECT id, idem_key, kind, payload FROM outbox WHERE batch_id = ? ORDER BY leaf_index',
    ),
    setBatch:
      p(`UPDATE outbox_batches SET state = ?, tx_hash = ?, next_attempt_at = ?, last_error = NULL,
                 updated_at = ? WHERE id = ? AND state NOT IN ('confirmed', 'failed')`),
    finishBatch: p(`UPDATE outbox_batches SET state = ?, receipt = ?, last_error = ?, updated_at = ?
                    WHERE id = ? AND state NOT IN ('confirmed', 'failed')`),
    retryBatch:
      p(`UPDATE outbox_batches SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                   updated_at = ? WHERE id = ?`),
    confirmedBefore: p(`SELECT id, receipt FROM outbox_batches WHERE state = 'confirmed' AND id < ?
                        ORDER BY id DESC LIMIT ?`),
    reopen: p(`UPDATE outbox_batches SET state = 'pending', tx_hash = NULL, receipt = NULL,
               next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'confirmed'`),
    inFlight: p(`SELECT count(*) AS n FROM outbox_batches
                  WHERE kind = ? AND state IN ('pending', 'submitted')`),
    depth: p(`SELECT state, sum(entry_count) AS n FROM outbox_batches
              WHERE state IN ('pending', 'submitted', 'failed') GROUP BY state`),
  };
}

/**
 * The durable outbox: every on-chain intent is a row before the API acknowledges it, keyed by an
 * idempotency key so a retried request never makes a second intent. A worker (outbox-worker.ts)
 * groups intents into batches, one chain transaction each, and walks each batch through
 * pending → submitted → confirmed (or failed). An intent's state is its batch's (pending before
 * it has one), so a state change touches one row however large the batch. Every change is one
 * SQLite transaction, so a crash at any point leaves a state the worker can resume from.
 */
export class Outbox {
  readonly db: DatabaseSync;
  readonly #sql: ReturnType<typeof statements>;
  /** Syncs `createBatch`'s commits off the event loop, when the database has a WAL (see there). */
  readonly #walSync: WalSync | undefined;

  constructor(db: DatabaseSync, options: { walSync?: WalSync } = {}) {
    this.db = db;
    this.#sql = statements(db);
    this.#walSync = options.walSync;
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
    const created = this.append(kind, key, payload, now);
    const intent = this.getByKey(key);
    if (!intent) throw new Error('outbox insert vanished');
    return { intent, created };
  }

  /** Journals an intent without reading it back (hot paths: audit appends, record uploads). */
  append(kind: IntentKind, key: string, payload: unknown, now = Date.now()): boolean {
    return Number(this.#sql.insert.run(key, kind, JSON.stringify(payload), now).changes) > 0;
  }

  getByKey(key: string): IntentView | undefined {
    const row = this.#sql.byKey.get(key) as Row | undefined;
    return row && this.#view(row);
  }

  get(id: number): IntentView | undefined {
    const row = this.#sql.byId.get(id) as Row | undefined;
    return row && this.#view(row);
  }

  payloadOf(id: number): unknown {
    const row = this.#sql.payload.get(id) as Row | undefined;
    return row && JSON.parse(String(row.payload));
  }

  /** Just the state, for listings. */
  stateByKey(key: string): IntentState | undefined {
    const row = this.#sql.stateByKey.get(key) as Row | undefined;
    return row && (row.state as IntentState);
  }

  /** Where a Merkle-batched intent stands, with its proof once batched. */
  inclusion(key: string): Inclusion | undefined {
    const row = this.#sql.placeByKey.get(key) as Row | undefined;
    if (!row) return undefined;
    if (row.state === null || row.tree === null || row.tree_index === null) {
      return { state: (row.state as IntentState | null) ?? 'pending' };
    }
    const { leaf, proof } = proofFromHashes(row.tree as Uint8Array, Number(row.tree_index));
    return {
      state: row.state as IntentState,
      root: row.root as Hex,
      leaf,
      proof,
      cid: String(row.cid),
      ...(row.tx_hash !== null && { txHash: row.tx_hash as Hex }),
      ...(row.receipt !== null && { receipt: JSON.parse(String(row.receipt)) }),
    };
  }

  /** Kinds that have intents waiting for a batch. */
  unbatchedKinds(): IntentKind[] {
    return (this.#sql.unbatchedKinds.all() as Row[]).map((r) => r.kind as IntentKind);
  }

  /** How many intents of `kind` wait for a batch, and since when. */
  waiting(kind: IntentKind): { count: number; oldest?: number } {
    const row = this.#sql.waiting.get(kind) as Row;
    return { count: Number(row.n), ...(row.oldest !== null && { oldest: Number(row.oldest) }) };
  }

  /** Batches of `kind` formed and not yet confirmed or failed (on their way to the chain). */
  inFlight(kind: IntentKind): number {
    return Number((this.#sql.inFlight.get(kind) as Row).n);
  }

  unbatched(kind: IntentKind, limit: number): OutboxIntent[] {
    return (this.#sql.unbatched.all(kind, limit) as Row[]).map(toIntent);
  }

  /**
   * Groups intents (entry i is intents[i]) into a new pending batch, atomically, and resolves once
   * that is on disk. It must be on disk before the batch goes anywhere: a batch write's records and
   * intents are committed without an fsync of their own and synced a moment later
   * (commit-batch.ts), and this commit, which comes before anything of theirs is sent to the chain,
   * syncs them with it. With a WalSync the commit is synchronous = NORMAL and the WAL is synced on
   * libuv's pool before this resolves (an fsync per anchor batch had been on the event loop);
   * without one it is fsynced inside COMMIT (synchronous = FULL).
   */
  async createBatch(
    kind: IntentKind,
    intents: readonly OutboxIntent[],
    merkle:
      | { root: Hex; cid: string; hashes: Uint8Array; treeIndex: readonly number[] }
      | undefined,
    now = Date.now(),
  ): Promise<number> {
    const walSync = this.#walSync;
    if (walSync === undefined) return this.#addBatch(kind, intents, merkle, now);
    const id = withoutFsync(this.db, () => this.#addBatch(kind, intents, merkle, now));
    await walSync.afterCommit();
    return id;
  }

  #addBatch(
    kind: IntentKind,
    intents: readonly OutboxIntent[],
    merkle:
      | { root: Hex; cid: string; hashes: Uint8Array; treeIndex: readonly number[] }
      | undefined,
    now: number,
  ): number {
    return transaction(this.db, () => {
      const id = Number(
        this.#sql.addBatch.run(
          kind,
          now,
          merkle?.root ?? null,
          intents.length,
          merkle?.cid ?? null,
          merkle?.hashes ?? null,
          now,
          now,
        ).lastInsertRowid,
      );
      intents.forEach((intent, index) => {
        const treeIndex = merkle?.treeIndex[index] ?? null;
        const changed = this.#sql.assign.run(id, index, treeIndex, intent.id).changes;
        if (Number(changed) !== 1) throw new Error(`intent ${intent.id} is already in a batch`);
      });
      return id;
    });
  }

  batch(id: number): BatchView | undefined {
    const row = this.#sql.batch.get(id) as Row | undefined;
    return row && toBatch(row);
  }

  /**
   * A Merkle batch this node formed, found by its root and entry-list CID (as a chain names it):
   * its payloads in list order, each with its leaf from the stored tree. Undefined for another
   * node's batch.
   */
  ownBatch(
    kind: IntentKind,
    root: Hex,
    cid: string,
  ): { payloads: unknown[]; leaves: Hex[] } | undefined {
    const batch = this.#sql.batchByRoot.get(root.toLowerCase(), kind) as Row | undefined;
    if (!batch || batch.cid !== cid || !(batch.tree instanceof Uint8Array)) return undefined;
    const tree = batch.tree;
    const rows = this.#sql.batchLeaves.all(Number(batch.id)) as Row[];
    return {
      payloads: rows.map((row) => JSON.parse(String(row.payload))),
      leaves: rows.map((row) => treeNodeAt(tree, Number(row.tree_index))),
    };
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

  /**
   * The batch's tx was sent (or is still unconfirmed: when to ask next). Not fsynced: a batch a
   * power cut sets back to pending is submitted again under the same batch key, which the relay
   * recognises on chain, so nothing is sent twice; and this runs on every receipt poll.
   */
  markSubmitted(id: number, txHash: Hex, nextCheckAt: number, now = Date.now()): void {
    withoutFsync(this.db, () => this.#sql.setBatch.run('submitted', txHash, nextCheckAt, now, id));
  }

  /** Back to pending after the tx vanished: the next submit uses the same batch key. */
  markDropped(id: number, now = Date.now()): void {
    this.#sql.setBatch.run('pending', null, now, now, id);
  }

  /**
   * Idempotent: confirming a confirmed (or failed) batch changes nothing. Not fsynced: a batch a
   * power cut sets back to submitted is asked about again, and the chain confirms it again.
   */
  markConfirmed(id: number, receipt: Record<string, unknown> | undefined, now = Date.now()): void {
    withoutFsync(this.db, () =>
      this.#sql.finishBatch.run(
        'confirmed',
        receipt ? JSON.stringify(receipt, jsonBigint) : null,
        null,
        now,
        id,
      ),
    );
  }

  markFailed(id: number, reason: string, now = Date.now()): void {
    this.#sql.finishBatch.run('failed', null, reason, now, id);
  }

  /** Confirmed batches with ids below `beforeId`, newest first, with their receipts. */
  confirmedBefore(
    beforeId: number,
    limit: number,
  ): Array<{ id: number; receipt?: Record<string, unknown> }> {
    return (this.#sql.confirmedBefore.all(beforeId, limit) as Row[]).map((r) => ({
      id: Number(r.id),
      ...(r.receipt !== null && { receipt: JSON.parse(String(r.receipt)) }),
    }));
  }

  /**
   * A confirmed batch whose transaction the chain no longer has (its state was lost, e.g. anvil
   * killed between two state dumps) goes back to pending: the relay, idempotent, submits it again.
   */
  reopen(id: number, now = Date.now()): void {
    this.#sql.reopen.run(now, now, id);
  }

  /** Counts a failed attempt (the chain was unreachable, say) and schedules the next. */
  scheduleRetry(id: number, error: string, at: number, now = Date.now()): void {
    this.#sql.retryBatch.run(at, error, now, id);
  }

  /** Intents not yet confirmed, by state (pending includes those not yet in a batch). */
  depth(): OutboxDepth {
    const depth: OutboxDepth = {
      pending: Number((this.#sql.unbatchedCount.get() as Row).n),
      submitted: 0,
      failed: 0,
    };
    for (const row of this.#sql.depth.all() as Row[]) {
      const state = row.state as keyof OutboxDepth;
      depth[state] += Number(row.n);
    }
    return depth;
  }

  #view(row: Row): IntentView {
    const batch = row.batch_id === null ? undefined : this.batch(Number(row.batch_id));
    return {
      id: Number(row.id),
      key: String(row.idem_key),
      kind: row.kind as IntentKind,
      state: batch?.state ?? 'pending',
      createdAt: Number(row.created_at),
      ...(batch && { batch }),
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
    entryCount: Number(row.entry_count),
    ...(row.tx_hash !== null && { txHash: row.tx_hash as Hex }),
    ...(row.last_error !== null && { lastError: String(row.last_error) }),
    ...(row.root !== null && {
      merkle: { root: row.root as Hex, entryCount: Number(row.entry_count), cid: String(row.cid) },
    }),
    ...(row.receipt !== null && { receipt: JSON.parse(String(row.receipt)) }),
  };
}

function jsonBigint(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
