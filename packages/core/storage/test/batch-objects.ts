import { SMALL_BLOCK_MAX } from '../src/small-block-table.ts';
import { seededBytes } from './seeded-bytes.ts';

/** Objects per putMany batch in the crash test: a FHIR import's batch is of this order. */
export const OBJECTS_PER_BATCH = 300;

/**
 * Object `index` of batch `batch`: 1–9 KB of seeded bytes, different for every object, and 64 KiB
 * more for every other one. So half are rows of the replicas' small-block tables (committed all
 * at once, when the batch is synced) and half are files (written one by one before that): a
 * kill can land while a batch is partly on disk.
 */
export async function batchObject(batch: number, index: number): Promise<Uint8Array> {
  const size =
    1000 + ((batch * 7919 + index * 104_729) % 8000) + (index % 2 === 1 ? SMALL_BLOCK_MAX : 0);
  const parts: Uint8Array[] = [];
  for await (const part of seededBytes(`batch ${batch}/${index}`, size)) parts.push(part);
  return Buffer.concat(parts);
}
