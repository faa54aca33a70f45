// The node reaches the chain only through these ports. The lead binds them to @aegle/chain (the
// indexer's mayRead, the relayer over AegleForwarder, Records.commitBatch and AuditLog.commit);
// tests bind them to labelled in-process doubles. Everything here is plain data, no viem types,
// so the node's logic stays testable without a chain.

export type Hex = `0x${string}`;
export type MaybePromise<T> = T | Promise<T>;

/** What a read decision needs to know about a record (from the node's own catalog). */
export type RecordRef = { recordId: Hex; patient: Hex; category: Hex };

export type ReadDecision =
  | { allowed: true /** bytes32 purpose label of the grant that allows it. */; purpose: Hex }
  | {
      allowed: false /** Stable code: 'no-grant', 'expired', 'revoked', 'other-category', … */;
      reason: string;
    };

export type WriteDecision = { allowed: true } | { allowed: false; reason: string };

/** Who may read and write, answered from the chain's indexed state (Consents, Accounts, Certification). */
export interface PermissionSource {
  /** May `reader` (not the patient) read `record` at `at`, and under which purpose? */
  mayRead(reader: Hex, record: RecordRef, at: Date): MaybePromise<ReadDecision>;
  /** May `creator` create a record for `patient` at `at` (patient, guardian, or certified provider)? */
  mayWrite(creator: Hex, patient: Hex, at: Date): MaybePromise<WriteDecision>;
  /** Is `caller` the patient or the patient's current guardian? */
  actsFor(caller: Hex, patient: Hex, at: Date): MaybePromise<boolean>;
  /**
   * Who else a writer wraps a new record of `category` for: the patient's guardian and the
   * grantees of live category grants (lower-case, without the patient).
   */
  writeRecipients(patient: Hex, category: Hex, at: Date): MaybePromise<Hex[]>;
}

/** The kinds of on-chain intent the outbox carries. */
export type IntentKind =
  | 'anchor'
  | 'audit'
  | 'grant'
  | 'revoke'
  | 'guardian'
  | 'register'
  | 'relay';

/** Kinds the outbox groups into one Merkle-root commit per batch. */
export const BATCHED_KINDS: ReadonlySet<IntentKind> = new Set(['anchor', 'audit']);

/** One journaled intent: an idempotency key and its JSON payload (shape depends on the kind). */
export type OutboxIntent = { id: number; key: string; kind: IntentKind; payload: unknown };

/**
 * What the relay is asked to put on chain: one transaction. For 'anchor' and 'audit' it carries the
 * Merkle root of its intents (leaves in `intents` order), the entry count and the CID of the stored
 * entry list, i.e. the arguments of Records.commitBatch / AuditLog.commit. For the other kinds it
 * carries exactly one intent whose payload is a signed forward request for AegleForwarder.execute.
 */
export type RelayBatch = {
  /** Stable across restarts and retries: the relay must treat a second submit of it as the same tx. */
  key: string;
  kind: IntentKind;
  intents: OutboxIntent[];
  merkle?: { root: Hex; entryCount: number; cid: string };
};

export type RelayStatus =
  | { state: 'pending' }
  /** Mined with enough confirmations; `receipt` is kept (e.g. block number, batch or commit id). */
  | { state: 'confirmed'; receipt?: Record<string, unknown> }
  /** The tx vanished (reorg, dropped from the pool): the outbox submits the batch again. */
  | { state: 'dropped' }
  /** Final: reverted or refused (expired request, bad signature). `reason` is a short code. */
  | { state: 'failed'; reason: string };

/**
 * Submits batches to the chain. Both calls may throw when the chain is unreachable: the outbox
 * retries with backoff. `submit` must be idempotent on `batch.key`: if a tx for that key was
 * already sent (the node may have died before recording it), return that tx rather than a second.
 */
export interface ChainRelay {
  /**
   * Sends the batch's transaction, or refuses it for good without sending (`failed`: the chain
   * would revert it, e.g. an expired or already used forward request; `reason` is the custom
   * error's name).
   */
  submit(batch: RelayBatch): Promise<{ txHash: Hex } | { state: 'failed'; reason: string }>;
  status(batch: RelayBatch, txHash: Hex): Promise<RelayStatus>;
}

/** Head and lag of the chain as the node sees it, for /health. */
export interface ChainHealth {
  status(): MaybePromise<{
    connected: boolean;
    head?: number;
    indexed?: number;
    lagBlocks?: number;
  }>;
}

/** Stores a batch's entry list (JSON bytes) as a content-addressed object; returns its CID. */
export type PutBatchObject = (bytes: Uint8Array) => Promise<string>;
