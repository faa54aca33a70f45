import { createHash } from 'node:crypto';
import { bytes32Label, signedDigestOf, signedDigestsOf } from '@aegle/contracts';
import {
  freeLeaf,
  type ObjectStore,
  QuotaExceededError,
  SizeMismatchError,
  StorageFullError,
} from '@aegle/storage';
import { bytesToHex } from 'viem';
import {
  ForbiddenError,
  InvalidRequestError,
  InvalidSignatureError,
  NotGrantedError,
  QuotaExceededApiError,
  RecordExistsError,
  RecordNotFoundError,
  SizeMismatchApiError,
  StorageUnavailableError,
  UploadNotFoundError,
  WriterNotAllowedError,
} from './errors.ts';
import { type AnchorPayload, anchorEntryOf } from './merkle-batch.ts';
import type { NodeContext } from './node-context.ts';
import type { Hex } from './ports.ts';
import type { RecordMeta } from './record-catalog.ts';
import { signedBy, signedByCached } from './signed-by.ts';

/** The audit purpose of a read by the patient's guardian (who acts for them, without a grant). */
export const GUARDIAN_PURPOSE: Hex = bytes32Label('guardian');
/** How far ahead of the node's clock an entry's `signedAt` may be. */
const SIGNED_AT_SKEW_S = 300;
/** Records.MAX_SIGNATURE_AGE is one day; keep an hour for the batch to reach the chain. */
const MAX_ENTRY_AGE_S = 23 * 3600;

export type UploadQuery = { patient: Hex; size: number; category?: Hex };

export type UploadReceipt = {
  uploadId: string;
  cid: string;
  contentRoot: Hex;
  size: number;
  expiresAt: number;
};

export type CommitRequest = {
  uploadId: string;
  entry: AnchorPayload;
  wrappedKeys: Array<{ recipient: Hex; wrappedKey: string }>;
  /** The client-encrypted metadata envelope, base64; entry.metadataHash is its sha2-256. */
  metadata: string;
};

type CID = Awaited<ReturnType<ObjectStore['put']>>['cid'];

const lower = (value: string) => value.toLowerCase() as Hex;

/**
 * Step 1 of an upload (docs/KEYS.md, "stream first, then commit"): before any byte is stored,
 * checks the size limit, that the caller may write for the patient now, and the patient's quota;
 * journals the upload; then streams the ciphertext into the ObjectStore (which reserves the quota
 * before the first block and rolls everything back if the stream fails or `signal` aborts) and
 * returns the root it computed. Nothing is a record until it is committed.
 */
export async function receiveUpload(
  ctx: NodeContext,
  caller: Hex,
  query: UploadQuery,
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
): Promise<UploadReceipt> {
  const now = ctx.now();
  const patient = lower(query.patient);
  assertRecordSize(ctx, query.size);
  await assertMayWriteAt(ctx, caller, patient, now / 1000);
  assertQuotaFor(ctx, patient, query.size);
  const id = ctx.uploads.begin(
    {
      caller,
      patient,
      size: query.size,
      ...(query.category && { category: lower(query.category) }),
    },
    now,
    ctx.uploadTtlMs,
  );
  let stored: StoredObject;
  try {
    stored = await storeObject(ctx, patient, query.size, body, signal);
  } catch (error) {
    ctx.uploads.remove(id);
    throw error;
  }
  ctx.uploads.stored(id, stored.cid, stored.contentRoot, stored.size);
  return {
    uploadId: id,
    cid: stored.cid,
    contentRoot: stored.contentRoot,
    size: stored.size,
    expiresAt: now + ctx.uploadTtlMs,
  };
}

/** A record may hold at most the node's `maxRecordBytes`. */
export function assertRecordSize(ctx: NodeContext, size: number): void {
  if (size > ctx.maxRecordBytes) {
    throw new InvalidRequestError(
      `A record may hold at most ${ctx.maxRecordBytes} bytes.`,
      'Split the content or ask the operator for a larger limit.',
    );
  }
}

/** The patient's account can take `bytes` more (checked before any byte is stored). */
export function assertQuotaFor(ctx: NodeContext, patient: Hex, bytes: number): void {
  const usage = ctx.store.usage(patient);
  if (usage.used + usage.reserved + bytes > usage.limit) throw new QuotaExceededApiError();
}

export type StoredObject = { cid: string; contentRoot: Hex; size: number };

/** Storage errors as API errors. */
function apiErrorOf(error: unknown): unknown {
  if (error instanceof QuotaExceededError) return new QuotaExceededApiError();
  if (error instanceof SizeMismatchError) return new SizeMismatchApiError();
  if (error instanceof StorageFullError) return new StorageUnavailableError(error);
  return error;
}

const storedObject = (stored: { cid: CID; size: number }): StoredObject => ({
  cid: stored.cid.toString(),
  contentRoot: bytesToHex(stored.cid.multihash.digest),
  size: stored.size,
});

/**
 * Stores in-memory ciphertexts for their patients' accounts, all or nothing
 * (ObjectStore.putMany: every quota checked first, one transaction for all), with storage errors
 * as API errors.
 */
export async function storeObjects(
  ctx: NodeContext,
  objects: { patient: Hex; bytes: Uint8Array }[],
): Promise<StoredObject[]> {
  try {
    const stored = await ctx.store.putMany(
      objects.map(({ patient, bytes }) => ({ account: patient, bytes })),
    );
    return stored.map(storedObject);
  } catch (error) {
    throw apiErrorOf(error);
  }
}

/**
 * Streams ciphertext into the ObjectStore for the patient's account (the store reserves the quota
 * before the first block and rolls everything back if the stream fails or `signal` aborts), with
 * storage errors as API errors. The source's buffers become the store's: each is freed (detached)
 * once copied, as a request body's chunks can be.
 */
export async function storeObject(
  ctx: NodeContext,
  patient: Hex,
  size: number,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  signal?: AbortSignal,
): Promise<StoredObject> {
  try {
    return storedObject(
      await ctx.store.put({
        account: patient,
        size,
        source,
        ...(signal && { signal }),
        // The request body's chunks are ours alone: each is freed once copied into a leaf.
        releaseInput: freeLeaf,
      }),
    );
  } catch (error) {
    throw apiErrorOf(error);
  }
}

/**
 * Step 2: the signed entry for a stored upload. Checks that the caller created it, that it names
 * the upload's patient, category and content root, that its EIP-712 signature recovers the
 * creator, that the creator was allowed to write for the patient when it was signed, that the
 * metadata is what it signs, and that the record id is unused; then stores the record, its keys
 * and metadata, journals its anchor and forgets the upload, in one fsynced transaction. Committing
 * the same entry again (a retry after a lost answer) returns the record.
 */
export async function commitRecord(
  ctx: NodeContext,
  caller: Hex,
  request: CommitRequest,
): Promise<RecordMeta> {
  const now = ctx.now();
  const entry = request.entry;
  const recordId = lower(entry.recordId);
  const upload = ctx.uploads.get(request.uploadId, caller, now);
  if (!upload) {
    const existing = ctx.catalog.get(recordId);
    const stored = existing && ctx.catalog.entry(recordId);
    if (existing && stored && lower(stored.signature) === lower(entry.signature)) return existing;
    throw new UploadNotFoundError();
  }
  if (lower(entry.patient) !== upload.patient) {
    throw new InvalidRequestError('The anchor entry names another patient than the upload.');
  }
  if (upload.category && lower(entry.category) !== upload.category) {
    throw new InvalidRequestError('The anchor entry names another category than the upload.');
  }
  if (lower(entry.contentRoot) !== upload.contentRoot) {
    throw new InvalidRequestError(
      "The entry's contentRoot is not the root of the uploaded content.",
      'Sign the root the node returned for the upload (check it against your own first).',
    );
  }
  const metadata = await checkSignedEntry(ctx, caller, request, now);
  if (ctx.catalog.has(recordId)) throw new RecordExistsError();
  // Judged at signing time, as Records.challenge judges a batched entry.
  await assertMayWriteAt(ctx, caller, upload.patient, Number(entry.signedAt));
  const meta = ctx.catalog.add(
    {
      recordId,
      patient: upload.patient,
      creator: caller,
      category: lower(entry.category),
      cid: upload.cid,
      size: upload.size,
      metadata,
      wrappedKeys: request.wrappedKeys.map((k) => ({
        recipient: lower(k.recipient),
        wrappedKey: Buffer.from(k.wrappedKey, 'base64'),
      })),
      entry,
    },
    now,
    () => ctx.uploads.remove(upload.id),
  );
  ctx.wakeOutbox();
  return meta;
}

/** The parts of a commit that travel with its entry, whichever path brought the content. */
export type SignedEntryParts = Pick<CommitRequest, 'entry' | 'wrappedKeys' | 'metadata'>;

/**
 * The checks every entry passes before it is stored, on either write path: the caller created it,
 * it was signed recently (and not in the future), the metadata is what it signs, the data key is
 * wrapped for the patient and the creator, and its EIP-712 signature recovers the creator.
 * Returns the decoded metadata. Path-specific checks (the content root, the upload's patient)
 * and the write permission at `signedAt` (assertMayWriteAt) are the caller's.
 */
export async function checkSignedEntry(
  ctx: NodeContext,
  caller: Hex,
  parts: SignedEntryParts,
  now: number,
  /** What the entry's signature signs, if the caller worked it out for a whole batch at once. */
  signed?: SignedDigest,
): Promise<Buffer> {
  const entry = parts.entry;
  if (lower(entry.creator) !== caller) {
    throw new ForbiddenError(
      'The anchor entry must be signed by the account that uploads it.',
      'Sign in as the creator named in the entry.',
    );
  }
  const signedAt = Number(entry.signedAt);
  const nowS = Math.floor(now / 1000);
  if (signedAt > nowS + SIGNED_AT_SKEW_S || signedAt < nowS - MAX_ENTRY_AGE_S) {
    throw new InvalidRequestError(
      'The anchor entry was signed too long ago or in the future.',
      'Sign the entry again with the current time as signedAt.',
    );
  }
  const metadata = Buffer.from(parts.metadata, 'base64');
  if (bytesToHex(createHash('sha256').update(metadata).digest()) !== lower(entry.metadataHash)) {
    throw new InvalidRequestError(
      "The metadata is not what the entry's metadataHash signs.",
      'Send the encrypted metadata envelope whose sha2-256 is in the signed entry.',
    );
  }
  const recipients = new Set(parts.wrappedKeys.map((k) => lower(k.recipient)));
  if (!recipients.has(lower(entry.patient)) || !recipients.has(caller)) {
    throw new InvalidRequestError(
      'The data key must be wrapped for the patient and for the creator.',
      'Add wrapped keys for both.',
    );
  }
  if (ctx.targets?.records) {
    const valid = verifyEntrySignature(entry, ctx.targets.chainId, ctx.targets.records, signed);
    if (!valid) throw new InvalidSignatureError('anchor entry');
  }
  return metadata;
}

type SignedDigest = ReturnType<typeof signedDigestOf>;

/**
 * What each entry of a batch write signs (signedDigestsOf: each tree of a batch signature
 * computed once), for checkSignedEntry; undefined where the node checks no signatures, or for an
 * entry whose fields cannot be read (checkSignedEntry then refuses it).
 */
export function signedDigestsOfBatch(
  ctx: NodeContext,
  entries: readonly AnchorPayload[],
): (SignedDigest | undefined)[] {
  if (!ctx.targets?.records) return entries.map(() => undefined);
  try {
    return signedDigestsOf(entries.map(anchorEntryOf), ctx.targets.chainId, ctx.targets.records);
  } catch {
    return entries.map(() => undefined);
  }
}

/** The creator may write for the patient at `signedAt` (seconds): judged as Records.challenge does. */
export async function assertMayWriteAt(
  ctx: NodeContext,
  creator: Hex,
  patient: Hex,
  signedAt: number,
): Promise<void> {
  const decision = await ctx.permissions.mayWrite(creator, patient, new Date(signedAt * 1000));
  if (!decision.allowed) throw new WriterNotAllowedError(decision.reason);
}

/**
 * Whether the entry is its creator's EIP-712 signature for this chain and Records contract, as
 * Records.sol judges it (SignatureChecker: v 27/28 and low s): an entry the contract would mark
 * invalid must not be anchored, since a challenge would blame this node for it.
 */
function verifyEntrySignature(
  entry: AnchorPayload,
  chainId: number,
  records: Hex,
  precomputed?: SignedDigest,
): boolean {
  try {
    const signed = precomputed ?? signedDigestOf(anchorEntryOf(entry), chainId, records);
    // A batch's root signature recurs in each of its entries: checked once (signedByCached).
    const check = signed.batch ? signedByCached : signedBy;
    return check(signed.digest, signed.signature, entry.creator);
  } catch {
    return false;
  }
}

export type ReadGrant = { record: RecordMeta; byPatient: boolean; purpose?: Hex };

/**
 * Decides whether `caller` may read the record (the patient, the holder of a live grant, or the
 * patient's guardian at the time of the read), and for anyone but the patient journals the
 * release durably (group commit) before returning: the caller sends nothing until this resolves.
 * A guardian's read without a grant is audited under the purpose "guardian".
 */
export async function authorizeRelease(
  ctx: NodeContext,
  caller: Hex,
  recordId: Hex,
): Promise<ReadGrant> {
  const record = ctx.catalog.get(recordId);
  if (!record) throw new RecordNotFoundError();
  if (record.patient === caller) return { record, byPatient: true };
  const now = ctx.now();
  const decision = await ctx.permissions.mayRead(
    caller,
    { recordId: record.recordId, patient: record.patient, category: record.category },
    new Date(now),
  );
  let purpose: Hex;
  if (decision.allowed) purpose = decision.purpose;
  // The patient's guardian acts for them (and re-wraps their keys for grantees), so may read
  // without a grant; it is still a release to someone other than the patient, so it is audited.
  else if (await ctx.permissions.actsFor(caller, record.patient, new Date(now))) {
    purpose = GUARDIAN_PURPOSE;
  } else throw new NotGrantedError(decision.reason);
  await ctx.audit.append(
    { recordId: record.recordId, patient: record.patient, reader: caller, purpose },
    now,
  );
  return { record, byPatient: false, purpose };
}

/** The patient, or their guardian: may list, see the audit trail, and add wrapped keys. */
export async function assertActsFor(ctx: NodeContext, caller: Hex, patient: Hex): Promise<void> {
  if (caller === lower(patient)) return;
  if (await ctx.permissions.actsFor(caller, lower(patient), new Date(ctx.now()))) return;
  throw new ForbiddenError(
    'Only the patient or their guardian may do this.',
    'Sign in as the patient, or ask the patient to name you as guardian.',
  );
}

/** Records metadata without releasing keys or content: patient, guardian, or a reader with a live grant. */
export async function assertMayInspect(
  ctx: NodeContext,
  caller: Hex,
  record: RecordMeta,
): Promise<void> {
  if (caller === record.patient) return;
  const now = new Date(ctx.now());
  if (await ctx.permissions.actsFor(caller, record.patient, now)) return;
  const decision = await ctx.permissions.mayRead(
    caller,
    { recordId: record.recordId, patient: record.patient, category: record.category },
    now,
  );
  if (!decision.allowed) throw new NotGrantedError(decision.reason);
}

/** Cursor of a page: opaque to clients (the last row's sequence number, base64url). */
export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const text = /^[A-Za-z0-9_-]{1,24}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString()
    : '';
  const seq = /^[0-9]{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new InvalidRequestError(
      'The cursor is not one this node returned.',
      'Pass nextCursor from the previous page, or no cursor.',
    );
  }
  return seq;
}
