import { BaseError } from '@aegle/errors';
import type { BatchLimits, BatchRecordInput, RecordSummary } from '../transport/transport.ts';

/** A node's batch limits when it does not say (`/info` batch): those of this SDK's node. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxRecords: 500, maxBytes: 16 * 1024 * 1024 };

/** Records sealed ahead of the one being batched: enough to keep the key-wrapping pool busy. */
const SEAL_AHEAD = 16;

/**
 * Records per batch at most, below the node's own limit: small enough that in a large import the
 * node stores one batch while the client seals the next, large enough that a request's fixed
 * cost on the node (some 6 ms: fsynced transactions in its database, the object index and each
 * replica, the batch root's signature, a permission lookup) is shared. Measured on a FHIR import
 * (70 resources and a manifest): 32 a batch 605–635 resources/s, 64 653, 128 697, 250 706.
 */
export const PIPELINED_BATCH_RECORDS = 128;

/** Bytes a base64 text of `n` bytes takes. */
const base64Length = (n: number) => Math.ceil(n / 3) * 4;

/**
 * An upper bound of the JSON a record takes in a batch body: base64 content and metadata, each
 * wrapped key (base64 of its 0x-hex, and the recipient) and the entry's fields, its signature
 * included (a batch signature, with its proof, is at most 69 + 32 × 9 bytes for 500 records).
 */
export function batchBytesOf(record: BatchRecordInput): number {
  const keys = record.wrappedKeys.reduce(
    (sum, k) => sum + base64Length(k.wrappedKey.length / 2) + 96,
    0,
  );
  return base64Length(record.content.length) + base64Length(record.metadata.length) + keys + 2048;
}

/** Some records of a batched write were not written; `written` were, in order, before it. */
export class BatchWriteError extends BaseError {
  override name = 'BatchWriteError';
  /** The position (in the input) of the record that failed. */
  readonly index: number;
  /** The records written before the failure (whole batches; a batch is all or nothing). */
  readonly written: RecordSummary[];
  constructor(options: { index: number; written: RecordSummary[]; total: number; cause: unknown }) {
    const cause = options.cause as { shortMessage?: string; message?: string; hint?: string };
    super(
      `Record ${options.index + 1} of ${options.total} could not be written (${
        cause?.shortMessage ?? cause?.message ?? 'unknown error'
      }); the ${options.written.length} before its batch are stored.`,
      {
        hint: cause?.hint ?? 'Fix the record and write the rest again.',
        cause: options.cause,
      },
    );
    this.index = options.index;
    this.written = options.written;
  }
}

/**
 * Seals `count` records (`seal(i)`, a few ahead at once) and writes them in consecutive batches
 * within `limits`, one batch in flight while the next is sealed. Returns the records in input
 * order. A failure stops the write: earlier batches stay written (BatchWriteError says which).
 */
export async function writeInBatches(options: {
  count: number;
  seal: (index: number) => Promise<BatchRecordInput>;
  write: (batch: BatchRecordInput[]) => Promise<RecordSummary[]>;
  limits: BatchLimits;
  onProgress?: (written: number, total: number) => void;
}): Promise<RecordSummary[]> {
  const { count, seal, write } = options;
  const limits = {
    ...options.limits,
    maxRecords: Math.min(options.limits.maxRecords, PIPELINED_BATCH_RECORDS),
  };
  const written: RecordSummary[] = [];
  const sealing: Promise<BatchRecordInput>[] = [];
  const sealAt = (i: number) => {
    sealing[i] ??= seal(i);
    // Unhandled until awaited; a failure is reported when its turn comes.
    sealing[i].catch(() => {});
    return sealing[i];
  };
  let batch: BatchRecordInput[] = [];
  let batchStart = 0;
  let bytes = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const records = batch;
    const start = batchStart;
    batch = [];
    bytes = 0;
    await inFlight;
    inFlight = write(records).then(
      (stored) => {
        written.push(...stored);
        options.onProgress?.(written.length, count);
      },
      (cause: { batchIndex?: number }) => {
        const index =
          start + (Number.isSafeInteger(cause?.batchIndex) ? (cause.batchIndex as number) : 0);
        throw new BatchWriteError({ index, written: [...written], total: count, cause });
      },
    );
  };
  for (let i = 0; i < count; i++) {
    for (let ahead = i; ahead < Math.min(count, i + SEAL_AHEAD); ahead++) sealAt(ahead);
    let record: BatchRecordInput;
    try {
      record = await sealAt(i);
    } catch (cause) {
      await inFlight;
      throw new BatchWriteError({ index: i, written: [...written], total: count, cause });
    }
    const size = batchBytesOf(record);
    if (
      batch.length > 0 &&
      (batch.length === limits.maxRecords || bytes + size > limits.maxBytes)
    ) {
      await flush();
    }
    if (batch.length === 0) batchStart = i;
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) await flush();
  await inFlight;
  return written;
}
