import { BaseError } from '@aegle/errors';
import { buildMerkleBatch, type MerkleBatch } from './merkle-batch.ts';
import type { Outbox } from './outbox.ts';
import {
  BATCHED_KINDS,
  type ChainRelay,
  type IntentKind,
  type PutBatchObject,
  type RelayBatch,
} from './ports.ts';

export type OutboxWorkerOptions = {
  outbox: Outbox;
  relay: ChainRelay;
  /** Stores the entry list of a Merkle batch (anchor, audit); its CID goes on chain with the root. */
  putBatchObject: PutBatchObject;
  /** Builds a Merkle batch; default on this thread (createNode passes a worker thread's). */
  buildBatch?: (
    kind: IntentKind,
    payloads: readonly unknown[],
  ) => MerkleBatch | Promise<MerkleBatch>;
  /**
   * How long the first intent of a Merkle batch may wait for more to join it while an earlier
   * batch of its kind is still on its way to the chain. A batch is formed at once when none is
   * and `minBatchIntervalMs` has passed since the last (so an idle node anchors without delay),
   * when `maxBatch` intents wait, or when the oldest has waited this long: under load, intents
   * gather while the previous transaction confirms, so batches fill up by themselves.
   * Default 2000 ms.
   */
  batchWindowMs?: number;
  /**
   * Least time between two Merkle batches of a kind formed early (because the chain was idle):
   * under a steady stream of intents (audited reads), each confirmation would otherwise start a
   * batch of a few entries, a transaction and a stored list each, many times a second. It is
   * also how long the last few records of a burst may wait for their anchor (fewer than
   * `eagerBatchSize`: more go at once). Default
   * 100 ms: at most ten anchor transactions a second; measured on a FHIR import against 250 ms,
   * about 6% more node CPU per record, and the import anchored 20% sooner.
   */
  minBatchIntervalMs?: number;
  /**
   * Intents of a kind enough to form its batch as soon as the chain is idle, without waiting out
   * `minBatchIntervalMs`: that wait is there to gather entries, and these are gathered. At the end
   * of a burst (an import) the last records are then anchored as soon as the transaction before
   * theirs confirms. Default 64 (about 1,300 gas of the root's cost per entry, against 82,000 for
   * a batch of one).
   */
  eagerBatchSize?: number;
  /** Most intents in one Merkle batch. Default 1000. */
  maxBatch?: number;
  /** First retry delay after a failed attempt; doubles up to `maxBackoffMs`. Default 200 ms. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest wait between two questions about a submitted tx. Default 500 ms. */
  confirmPollMs?: number;
  /**
   * How soon a tx is first asked about after its submission. Each later question waits as long
   * as the tx has been out so far (2, 4, 8, 16 ms…), up to `confirmPollMs`: on a chain that
   * mines at once (anvil) the receipt is there at the first questions, and a chain with
   * 2-second blocks is asked about ten times in its first half second, then twice a second.
   * Default 2 ms (at most `confirmPollMs`): the last anchor of a FHIR import confirmed 18 ms
   * sooner on average than with 10 ms, in a tail of about 120 ms.
   */
  firstConfirmPollMs?: number;
  /** Longest sleep between passes when nothing is due. Default 1000 ms. */
  idleMs?: number;
  /** Reports an attempt that failed (the relay threw). Never given patient data. */
  onError?: (error: unknown) => void;
  now?: () => number;
  random?: () => number;
};

/**
 * Drains the outbox: groups intents into batches (Merkle batches for anchors and audit entries),
 * submits them through the relay, polls until confirmed, retries with exponential backoff and
 * jitter while the chain is unreachable. Every step is recorded before the next, so a restarted
 * worker resumes exactly where the dead one stopped; submission is idempotent per batch key.
 * One pass runs at a time.
 */
export class OutboxWorker {
  readonly #o: Required<Omit<OutboxWorkerOptions, 'onError'>> &
    Pick<OutboxWorkerOptions, 'onError'>;
  #running = false;
  #stopped = false;
  #pass: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #again = false;
  readonly #relayBatches = new Map<number, RelayBatch>();
  /** When the next Merkle batch is due to be formed (its window closes). */
  #formAt: number | undefined;
  /** When the last Merkle batch of each kind was formed (in this process). */
  readonly #lastFormed = new Map<IntentKind, number>();
  /**
   * When each submitted batch's tx was sent (in this process; one submitted before a restart is
   * asked about every `confirmPollMs`).
   */
  readonly #submittedAt = new Map<number, number>();

  constructor(options: OutboxWorkerOptions) {
    this.#o = {
      maxBatch: 1000,
      batchWindowMs: 2000,
      minBatchIntervalMs: 100,
      eagerBatchSize: 64,
      baseBackoffMs: 200,
      maxBackoffMs: 30_000,
      confirmPollMs: 500,
      firstConfirmPollMs: Math.min(2, options.confirmPollMs ?? 500),
      idleMs: 1000,
      now: Date.now,
      random: Math.random,
      buildBatch: buildMerkleBatch,
      ...options,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopped = false;
    this.wake();
  }

  /** Stops after the pass in progress; resolves once it is over. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass;
  }

  /** Asks for a pass soon (after an enqueue), instead of waiting for the idle timer. */
  wake(): void {
    if (!this.#running) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#loop(), 0);
  }

  #loop(): void {
    this.#pass = this.runOnce()
      .catch((error: unknown) => this.#o.onError?.(error))
      .finally(() => {
        this.#pass = undefined;
        if (!this.#running) return;
        const again = this.#again;
        this.#again = false;
        const due = this.#safeNextDue();
        const next = Math.min(due ?? Infinity, this.#formAt ?? Infinity);
        const now = this.#o.now();
        const delay = again ? 0 : Math.max(0, Math.min(this.#o.idleMs, (next ?? Infinity) - now));
        this.#timer = setTimeout(() => this.#loop(), delay);
      });
  }

  #safeNextDue(): number | undefined {
    try {
      return this.#o.outbox.nextDue();
    } catch {
      return undefined;
    }
  }

  /** One pass: batch what is waiting, then advance every batch that is due. */
  async runOnce(): Promise<void> {
    this.#formAt = undefined;
    await this.#formBatches();
    const { outbox } = this.#o;
    for (const id of outbox.dueBatches(this.#o.now(), 64)) {
      if (this.#stopped) return;
      await this.#advance(id);
    }
  }

  async #formBatches(): Promise<void> {
    const { outbox, maxBatch } = this.#o;
    for (const kind of outbox.unbatchedKinds()) {
      if (BATCHED_KINDS.has(kind)) {
        for (;;) {
          const { count, oldest } = outbox.waiting(kind);
          if (count === 0) break;
          const now = this.#o.now();
          const age = now - (oldest ?? 0);
          const chainIdle = outbox.inFlight(kind) === 0;
          const earliestEager =
            (this.#lastFormed.get(kind) ?? -Infinity) + this.#o.minBatchIntervalMs;
          const eager = chainIdle && (now >= earliestEager || count >= this.#o.eagerBatchSize);
          if (count < maxBatch && age < this.#o.batchWindowMs && !eager) {
            this.#formAt = Math.min(
              this.#formAt ?? Infinity,
              (oldest ?? 0) + this.#o.batchWindowMs,
              chainIdle ? earliestEager : Infinity,
            );
            break;
          }
          const intents = outbox.unbatched(kind, maxBatch);
          const batch = await this.#o.buildBatch(
            kind,
            intents.map((i) => i.payload),
          );
          // Stored before the batch row exists: a crash here leaves an unreferenced object, and the
          // next pass stores the same bytes again (content addressing makes it the same object).
          const cid = await this.#o.putBatchObject(batch.listBytes);
          await outbox.createBatch(
            kind,
            intents,
            { root: batch.root, cid, hashes: batch.hashes, treeIndex: batch.treeIndex },
            this.#o.now(),
          );
          this.#lastFormed.set(kind, this.#o.now());
        }
      } else {
        for (const intent of outbox.unbatched(kind, maxBatch)) {
          await outbox.createBatch(kind, [intent], undefined, this.#o.now());
        }
      }
    }
  }

  async #advance(id: number): Promise<void> {
    const { outbox, relay } = this.#o;
    const batch = outbox.batch(id);
    if (!batch) return;
    // A batch's contents never change: read (and parse) them once per process, not per poll.
    let relayBatch = this.#relayBatches.get(id);
    if (!relayBatch) {
      relayBatch = outbox.relayBatch(id);
      this.#relayBatches.set(id, relayBatch);
    }
    try {
      if (batch.state === 'pending') {
        const sent = await relay.submit(relayBatch);
        if ('txHash' in sent) {
          const now = this.#o.now();
          this.#submittedAt.set(id, now);
          outbox.markSubmitted(id, sent.txHash, now + this.#o.firstConfirmPollMs, now);
        } else {
          outbox.markFailed(id, sent.reason, this.#o.now());
          this.#relayBatches.delete(id);
        }
      } else if (batch.state === 'submitted' && batch.txHash) {
        const status = await relay.status(relayBatch, batch.txHash);
        if (status.state !== 'pending') this.#submittedAt.delete(id);
        if (status.state === 'confirmed') {
          outbox.markConfirmed(id, status.receipt, this.#o.now());
          this.#relayBatches.delete(id);
          // Intents that waited for this batch to land can form the next one now.
          this.#again = true;
        } else if (status.state === 'failed') {
          outbox.markFailed(id, status.reason, this.#o.now());
          this.#relayBatches.delete(id);
        } else if (status.state === 'dropped') outbox.markDropped(id, this.#o.now());
        else {
          const now = this.#o.now();
          outbox.markSubmitted(id, batch.txHash, now + this.#nextPollDelay(id, now), now);
        }
      }
    } catch (error) {
      const delay = backoff(
        batch.attempts + 1,
        this.#o.baseBackoffMs,
        this.#o.maxBackoffMs,
        this.#o.random,
      );
      outbox.scheduleRetry(id, errorCode(error), this.#o.now() + delay, this.#o.now());
      this.#o.onError?.(error);
    }
  }

  /** How long until a still-pending tx is asked about again: as long as it has been out so far. */
  #nextPollDelay(id: number, now: number): number {
    const sentAt = this.#submittedAt.get(id);
    if (sentAt === undefined) return this.#o.confirmPollMs;
    return Math.min(this.#o.confirmPollMs, Math.max(this.#o.firstConfirmPollMs, now - sentAt));
  }
}

/** Exponential backoff with "equal jitter": between half and all of base·2^(attempt−1), capped. */
export function backoff(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** What is kept of a failed attempt: the error's stable name, never its (possibly data-bearing) text. */
function errorCode(error: unknown): string {
  if (error instanceof BaseError) return error.name;
  if (error instanceof Error) return error.name;
  return 'UnknownError';
}
