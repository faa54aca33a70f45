import { Worker } from 'node:worker_threads';
import { buildMerkleBatch, type MerkleBatch } from './merkle-batch.ts';
import type { IntentKind } from './ports.ts';
import { WORKER_RESOURCE_LIMITS } from './worker-limits.ts';

type Waiter = { resolve: (batch: MerkleBatch) => void; reject: (error: Error) => void };

/**
 * Batches up to this size are built on the calling thread (~35 µs per leaf, under a ms): a
 * node that anchors a record now and then never starts the thread, whose isolate and module
 * graph cost some 20 MB of memory and a start-up longer than the build itself.
 */
export const INLINE_BATCH_MAX = 16;

/**
 * Builds Merkle batches in one worker thread, so a batch of 1,000 audit entries or anchors does
 * not stall request handling (measured: ~35 ms of CPU per 1,000 leaves on the main thread).
 * Small batches are built inline (INLINE_BATCH_MAX). The thread is started on first use and
 * does not keep the process alive.
 */
export class MerkleThread {
  #worker: Worker | undefined;
  readonly #waiting = new Map<number, Waiter>();
  #next = 0;

  build(kind: IntentKind, payloads: readonly unknown[]): Promise<MerkleBatch> {
    if (payloads.length <= INLINE_BATCH_MAX) {
      try {
        return Promise.resolve(buildMerkleBatch(kind, payloads));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const worker = this.#start();
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, kind, payloads });
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
    this.#failAll(new Error('the Merkle thread was closed'));
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./merkle-thread-worker.ts', import.meta.url), {
      resourceLimits: WORKER_RESOURCE_LIMITS,
    });
    worker.unref();
    worker.on('message', (message: { id: number; batch?: MerkleBatch; error?: string }) => {
      const waiter = this.#waiting.get(message.id);
      this.#waiting.delete(message.id);
      if (this.#waiting.size === 0) worker.unref();
      if (!waiter) return;
      if (message.batch) waiter.resolve(message.batch);
      else waiter.reject(new Error(message.error ?? 'Merkle batch failed'));
    });
    worker.on('error', (error) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(error);
    });
    worker.on('exit', () => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(new Error('the Merkle thread exited'));
    });
    this.#worker = worker;
    return worker;
  }

  #failAll(error: Error): void {
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}
