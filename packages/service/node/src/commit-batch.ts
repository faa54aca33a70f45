import { transaction, withoutFsync } from '@aegle/storage';
import { ApiError, InvalidRequestError, RecordExistsError } from './errors.ts';
import type { NodeContext } from './node-context.ts';
import type { Hex } from './ports.ts';
import type { RecordMeta } from './record-catalog.ts';
import {
  assertMayWriteAt,
  assertQuotaFor,
  assertRecordSize,
  checkSignedEntry,
  type SignedEntryParts,
  type StoredObject,
  signedDigestsOfBatch,
  storeObjects,
} from './records-logic.ts';

/** One record of a batch: its signed entry, keys and metadata, and its whole ciphertext. */
export type BatchRecordRequest = SignedEntryParts & {
  /** The ciphertext, base64; its UnixFS root (the store's leaf size) is `entry.contentRoot`. */
  content: string;
};

const lower = (value: string) => value.toLowerCase() as Hex;

/** Runs `fn`, tagging an API error with the position of the record that caused it. */
async function forRecord<T>(index: number, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ApiError) error.batchIndex = index;
    throw error;
  }
}

/**
 * Writes many records in one request, all or nothing: the path for many small records (a FHIR
 * import), where the two-step upload costs two round trips and several fsynced transactions per
 * record. Every record passes the checks of a committed upload (checkSignedEntry, the write
 * permission now and when it was signed) and each patient's quota is checked for the batch's
 * total, before any byte is stored. The batch is then journaled as uploads in one transaction,
 * the objects are stored and each root is checked against its signed entry, and all records and
 * their anchor intents are committed in one transaction. A failure anywhere deletes what the
 * batch stored and names the record (`batchIndex`); a crash meanwhile is cleaned up on restart
 * like any interrupted upload. A retry of a batch whose answer was lost returns its records
 * (`replayed`).
 */
export async function commitBatch(
  ctx: NodeContext,
  caller: Hex,
  records: BatchRecordRequest[],
): Promise<{ records: RecordMeta[]; replayed: boolean }> {
  const now = ctx.now();
  const ids = records.map((r) => lower(r.entry.recordId));
  if (new Set(ids).size !== ids.length) {
    throw new InvalidRequestError(
      'The batch names the same record id twice.',
      'Give every record its own random id.',
    );
  }
  const known = ctx.catalog.known(ids);
  const firstKnown = ids.findIndex((id) => known.has(id));
  if (firstKnown !== -1) {
    const existing = ids.map((id) => ctx.catalog.get(id));
    const sameEntries = ids.every(
      (id, i) =>
        lower(ctx.catalog.entry(id)?.signature ?? '0x') ===
        lower(records[i]?.entry.signature ?? ''),
    );
    if (sameEntries) {
      // The first request's commit may still be on its way to the disk: answer once it is.
      await ctx.dbSync.latest();
      return { records: existing as RecordMeta[], replayed: true };
    }
    return forRecord(firstKnown, () => {
      throw new RecordExistsError();
    });
  }

  const contents = records.map((r) => Buffer.from(r.content, 'base64'));
  const patients = ids.map((_, i) => lower((records[i] as BatchRecordRequest).entry.patient));
  const demand = new Map<Hex, { bytes: number; first: number }>();
  for (const [i, content] of contents.entries()) {
    const patient = patients[i] as Hex;
    await forRecord(i, async () => {
      assertRecordSize(ctx, content.length);
      // Once per patient, before the signatures: a writer who may not write now is refused early.
      if (!demand.has(patient)) await assertMayWriteAt(ctx, caller, patient, now / 1000);
    });
    const seen = demand.get(patient) ?? { bytes: 0, first: i };
    demand.set(patient, { bytes: seen.bytes + content.length, first: seen.first });
  }
  for (const [patient, { bytes, first }] of demand) {
    await forRecord(first, () => assertQuotaFor(ctx, patient, bytes));
  }
  const metadata: Buffer[] = [];
  const judged = new Set<string>();
  const signed = signedDigestsOfBatch(
    ctx,
    records.map((r) => r.entry),
  );
  for (const [i, record] of records.entries()) {
    metadata.push(await forRecord(i, () => checkSignedEntry(ctx, caller, record, now, signed[i])));
    // Judged at signing time, as Records.challenge judges a batched entry. A batch is signed
    // within seconds, so each (patient, second) is looked up once.
    const signedAt = Number(record.entry.signedAt);
    const key = `${patients[i]}:${signedAt}`;
    if (!judged.has(key)) {
      await forRecord(i, () => assertMayWriteAt(ctx, caller, patients[i] as Hex, signedAt));
      judged.add(key);
    }
  }

  // Journaled, and on disk before the first byte is stored (see dbSync in node-context.ts).
  const uploadIds = withoutFsync(ctx.db, () =>
    ctx.uploads.beginMany(
      records.map((r, i) => ({
        caller,
        patient: patients[i] as Hex,
        category: lower(r.entry.category),
        size: (contents[i] as Buffer).length,
      })),
      now,
      ctx.uploadTtlMs,
    ),
  );
  await ctx.dbSync.afterCommit();
  let stored: StoredObject[] = [];
  let metas: RecordMeta[];
  try {
    stored = await storeObjects(
      ctx,
      contents.map((bytes, i) => ({ patient: patients[i] as Hex, bytes })),
    );
    const wrongRoot = stored.findIndex(
      (object, i) =>
        object.contentRoot !== lower((records[i] as BatchRecordRequest).entry.contentRoot),
    );
    if (wrongRoot !== -1) {
      await forRecord(wrongRoot, () => {
        throw new InvalidRequestError(
          "The entry's contentRoot is not the root of the record's content.",
          "Sign the UnixFS root (raw leaves, CIDv1, the node's leaf size) of the ciphertext sent.",
        );
      });
    }
    // Committed with synchronous = NORMAL and synced below, before the answer. Until then the
    // records can be read but are not answered for; nothing reaches the chain before the
    // outbox's batch row, in the same WAL, is on disk (Outbox.createBatch), which syncs them too.
    metas = withoutFsync(ctx.db, () =>
      ctx.catalog.addMany(
        records.map((record, i) => ({
          recordId: ids[i] as Hex,
          patient: patients[i] as Hex,
          creator: caller,
          category: lower(record.entry.category),
          cid: (stored[i] as StoredObject).cid,
          size: (stored[i] as StoredObject).size,
          metadata: metadata[i] as Buffer,
          wrappedKeys: record.wrappedKeys.map((k) => ({
            recipient: lower(k.recipient),
            wrappedKey: Buffer.from(k.wrappedKey, 'base64'),
          })),
          entry: record.entry,
        })),
        now,
        () => {
          for (const id of uploadIds) ctx.uploads.remove(id);
        },
      ),
    );
  } catch (error) {
    await discard(ctx, patients, uploadIds, stored);
    throw error;
  }
  // Committed: a failure from here on must not discard the objects the records name.
  await ctx.dbSync.afterCommit();
  ctx.wakeOutbox();
  return { records: metas, replayed: false };
}

/** Deletes what a refused batch stored (unless other records or uploads hold the same bytes). */
async function discard(
  ctx: NodeContext,
  patients: Hex[],
  uploadIds: string[],
  stored: StoredObject[],
): Promise<void> {
  for (const [i, object] of stored.entries()) {
    const patient = patients[i] as Hex;
    if (!ctx.uploads.cidInUse(patient, object.cid, uploadIds[i])) {
      await ctx.store.delete(patient, object.cid).catch(() => {});
    }
  }
  transaction(ctx.db, () => {
    for (const id of uploadIds) ctx.uploads.remove(id);
  });
}
