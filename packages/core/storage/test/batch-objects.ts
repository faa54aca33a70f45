import { seededBytes } from './seeded-bytes.ts';

/** Objects per putMany batch in the crash test: a FHIR import's batch is of this order. */
export const OBJECTS_PER_BATCH = 300;

/** Object `index` of batch `batch`: 1–9 KB of seeded bytes, different for every object. */
export async function batchObject(batch: number, index: number): Promise<Uint8Array> {
  const size = 1000 + ((batch * 7919 + index * 104_729) % 8000);
  const parts: Uint8Array[] = [];
  for await (const part of seededBytes(`batch ${batch}/${index}`, size)) parts.push(part);
  return Buffer.concat(parts);
}
