// A FAULT-INJECTING TEST DOUBLE of the ChainRelay port, for the outbox's own tests: it can be taken
// down and brought back, made to fail the next N calls, drop a tx (as a reorg would), or reject a
// batch for good. It keeps the port's contract (submit is idempotent per batch key) and records
// which intents "landed", so tests can check exactly-once delivery. The real relay over anvil is
// bound by the lead and tested against a real chain.
import type { ChainRelay, Hex, RelayBatch, RelayStatus } from '../src/ports.ts';

export class ChainDownError extends Error {
  override name = 'ChainDownError';
}

type Tx = { hash: Hex; batchKey: string; intentKeys: string[]; polls: number; landed: boolean };

export class FaultInjectingRelay implements ChainRelay {
  down = false;
  failNext = 0;
  /** Polls answered 'pending' before a tx is confirmed. */
  confirmAfterPolls = 1;
  readonly dropOnce = new Set<string>();
  readonly rejectKinds = new Set<string>();
  readonly #byKey = new Map<string, Tx>();
  readonly #txs = new Map<Hex, Tx>();
  #counter = 0;
  submitCalls = 0;
  /** Every intent key in a confirmed tx, once per confirmation: exactly-once means no repeats. */
  readonly landed: string[] = [];
  /** Called at the start of each submit (for crash tests). */
  onSubmit: ((batch: RelayBatch) => void) | undefined;

  #fault(): void {
    if (this.down) throw new ChainDownError('chain unreachable');
    if (this.failNext > 0) {
      this.failNext--;
      throw new ChainDownError('injected failure');
    }
  }

  async submit(batch: RelayBatch): Promise<{ txHash: Hex }> {
    this.submitCalls++;
    this.onSubmit?.(batch);
    this.#fault();
    const existing = this.#byKey.get(batch.key);
    if (existing) return { txHash: existing.hash };
    const hash = `0x${(++this.#counter).toString(16).padStart(64, '0')}` as Hex;
    const tx: Tx = {
      hash,
      batchKey: batch.key,
      intentKeys: batch.intents.map((i) => i.key),
      polls: 0,
      landed: false,
    };
    this.#byKey.set(batch.key, tx);
    this.#txs.set(hash, tx);
    return { txHash: hash };
  }

  async status(batch: RelayBatch, txHash: Hex): Promise<RelayStatus> {
    this.#fault();
    const tx = this.#txs.get(txHash);
    if (!tx) return { state: 'dropped' };
    if (this.rejectKinds.has(batch.kind)) return { state: 'failed', reason: 'reverted' };
    if (this.dropOnce.delete(batch.key)) {
      this.#txs.delete(txHash);
      this.#byKey.delete(batch.key);
      return { state: 'dropped' };
    }
    if (tx.polls++ < this.confirmAfterPolls) return { state: 'pending' };
    if (!tx.landed) {
      tx.landed = true;
      this.landed.push(...tx.intentKeys);
    }
    return {
      state: 'confirmed',
      receipt: { tx: txHash, ...(batch.merkle && { root: batch.merkle.root }) },
    };
  }
}
