import { anchorEntryTypes, recordsDomain } from '@aegle/contracts';
import {
  type ObjectStore,
  QuotaExceededError,
  SizeMismatchError,
  StorageFullError,
} from '@aegle/storage';
import { bytesToHex, verifyTypedData } from 'viem';
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
import type { AnchorPayload } from './merkle-batch.ts';
import type { NodeContext } from './node-context.ts';
import type { Hex } from './ports.ts';
import type { RecordMeta } from './record-catalog.ts';
import type { UploadTicket } from './upload-tickets.ts';

/** How far ahead of the node's clock an entry's `signedAt` may be. */
const SIGNED_AT_SKEW_S = 300;
/** Records.MAX_SIGNATURE_AGE is one day; keep an hour for the batch to reach the chain. */
const MAX_ENTRY_AGE_S = 23 * 3600;

export type UploadRequest = {
  recordId: Hex;
  patient: Hex;
  category: Hex;
  size: number;
  wrappedKeys: Array<{ recipient: Hex; wrappedKey: string }>;
  entry: AnchorPayload;
};

type CID = Awaited<ReturnType<ObjectStore['put']>>['cid'];

const lower = (value: string) => value.toLowerCase() as Hex;

/**
 * Step 1 of an upload: checks who writes for whom, the signed entry, and the quota, before any
 * byte is sent, and opens a ticket for the content.
 */
export async function announceUpload(
  ctx: NodeContext,
  caller: Hex,
  request: UploadRequest,
): Promise<UploadTicket> {
  const now = ctx.now();
  const recordId = lower(request.recordId);
  const patient = lower(request.patient);
  const category = lower(request.category);
  const entry = request.entry;
  if (
    lower(entry.recordId) !== recordId ||
    lower(entry.patient) !== patient ||
    lower(entry.category) !== category
  ) {
    throw new InvalidRequestError(
      'The anchor entry does not describe this record (record id, patient or category differ).',
    );
  }
  if (lower(entry.creator) !== caller) {
    throw new ForbiddenError(
      'The anchor entry must be signed by the account that uploads it.',
      'Sign in as the creator named in the entry.',
    );
  }
  if (request.size > ctx.maxRecordBytes) {
    throw new InvalidRequestError(
      `A record may hold at most ${ctx.maxRecordBytes} bytes.`,
      'Split the content or ask the operator for a larger limit.',
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
  if (ctx.catalog.has(recordId)) throw new RecordExistsError();
  if (caller !== patient) {
    const decision = await ctx.permissions.mayWrite(caller, patient, new Date(now));
    if (!decision.allowed) throw new WriterNotAllowedError(decision.reason);
  }
  if (ctx.targets?.records) {
    const valid = await verifyEntrySignature(entry, ctx.targets.chainId, ctx.targets.records);
    if (!valid) throw new InvalidSignatureError('anchor entry');
  }
  const usage = ctx.store.usage(patient);
  if (usage.used + usage.reserved + request.size > usage.limit) throw new QuotaExceededApiError();
  const ticket = ctx.uploads.open(
    {
      caller,
      recordId,
      patient,
      category,
      size: request.size,
      wrappedKeys: request.wrappedKeys.map((k) => ({
        recipient: lower(k.recipient),
        wrappedKey: Buffer.from(k.wrappedKey, 'base64'),
      })),
      entry,
    },
    now,
  );
  if (!ticket) throw new RecordExistsError();
  return ticket;
}

async function verifyEntrySignature(
  entry: AnchorPayload,
  chainId: number,
  records: Hex,
): Promise<boolean> {
  try {
    return await verifyTypedData({
      address: entry.creator,
      domain: recordsDomain(chainId, records),
      types: anchorEntryTypes,
      primaryType: 'AnchorEntry',
      message: {
        recordId: entry.recordId,
        patient: entry.patient,
        creator: entry.creator,
        contentRoot: entry.contentRoot,
        metadataHash: entry.metadataHash,
        category: entry.category,
        supersedes: entry.supersedes,
        nonce: BigInt(entry.nonce),
        signedAt: BigInt(entry.signedAt),
      },
      signature: entry.signature,
    });
  } catch {
    return false;
  }
}

/**
 * Step 2: streams the content into the ObjectStore (which reserves the quota before the first
 * block and rolls everything back if the stream fails or `signal` aborts), checks the content
 * root against the signed entry, then stores the record and journals its anchor in one
 * transaction. Only then is the upload acknowledged.
 */
export async function receiveUpload(
  ctx: NodeContext,
  caller: Hex,
  uploadId: string,
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
): Promise<RecordMeta> {
  const ticket = ctx.uploads.take(uploadId, caller, ctx.now());
  if (!ticket) throw new UploadNotFoundError();
  let done = false;
  try {
    let stored: { cid: CID; size: number };
    try {
      stored = await ctx.store.put({
        account: ticket.patient,
        size: ticket.size,
        source: body,
        signal,
      });
    } catch (error) {
      if (error instanceof QuotaExceededError) {
        done = true;
        throw new QuotaExceededApiError();
      }
      if (error instanceof SizeMismatchError) throw new SizeMismatchApiError();
      if (error instanceof StorageFullError) throw new StorageUnavailableError(error);
      throw error;
    }
    if (bytesToHex(stored.cid.multihash.digest) !== lower(ticket.entry.contentRoot)) {
      await deleteUnlessReferenced(ctx, ticket.patient, stored.cid);
      done = true;
      throw new InvalidRequestError(
        "The content's root CID does not match the contentRoot of the signed entry.",
        'Compute the content root with the Aegle UnixFS profile of @aegle/storage and sign it in the entry.',
      );
    }
    const meta = ctx.catalog.add(
      {
        recordId: ticket.recordId,
        patient: ticket.patient,
        creator: caller,
        category: ticket.category,
        cid: stored.cid.toString(),
        size: stored.size,
        wrappedKeys: ticket.wrappedKeys,
        entry: ticket.entry,
      },
      ctx.now(),
    );
    done = true;
    ctx.wakeOutbox();
    return meta;
  } finally {
    if (done) ctx.uploads.finish(ticket);
    else ctx.uploads.giveBack(ticket);
  }
}

async function deleteUnlessReferenced(ctx: NodeContext, account: Hex, cid: CID): Promise<void> {
  // The same bytes may back another record of this patient: then the object stays.
  if (ctx.catalog.cidInUse(account, cid.toString())) return;
  await ctx.store.delete(account, cid).catch(() => {});
}

export type ReadGrant = { record: RecordMeta; byPatient: boolean; purpose?: Hex };

/**
 * Decides whether `caller` may read the record, and for anyone but the patient journals the
 * release durably (group commit) before returning: the caller sends nothing until this resolves.
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
  if (!decision.allowed) throw new NotGrantedError(decision.reason);
  await ctx.audit.append(
    {
      recordId: record.recordId,
      patient: record.patient,
      reader: caller,
      purpose: decision.purpose,
    },
    now,
  );
  return { record, byPatient: false, purpose: decision.purpose };
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
