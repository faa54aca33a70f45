// Runs in a worker thread: builds Merkle batches (keccak and ABI encoding of every leaf take
// hundreds of milliseconds for 1,000 entries) away from the event loop that serves requests.
import { parentPort } from 'node:worker_threads';
import { buildMerkleBatch } from './merkle-batch.ts';
import type { IntentKind } from './ports.ts';

parentPort?.on('message', (job: { id: number; kind: IntentKind; payloads: unknown[] }) => {
  try {
    parentPort?.postMessage({ id: job.id, batch: buildMerkleBatch(job.kind, job.payloads) });
  } catch (error) {
    parentPort?.postMessage({
      id: job.id,
      error: error instanceof Error ? error.message : 'failed',
    });
  }
});
