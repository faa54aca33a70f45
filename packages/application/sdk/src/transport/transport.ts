// What the SDK needs from a node. The HTTP implementation is `createHttpTransport`; anything that
// speaks the same protocol (an in-process node, a test double over real storage) can stand in.
// See docs/KEYS.md for the upload protocol this interface encodes.
import type { Address } from '@aegle/crypto';
import type { Hex } from 'viem';
import type { OnProgress } from '../records/progress.ts';
import type { AnchorEntry } from '../signing/contracts.ts';
import type { SignedForwardRequest } from '../signing/sign-forward-request.ts';

/** A data key wrapped for one recipient: `encodeWrappedDataKey`'s 0x-hex form. */
export type WrappedKeyFor = { recipient: Address; wrappedKey: Hex };

/** What the node acknowledges for a streamed ciphertext, before the record is committed. */
export type UploadReceipt = {
  uploadId: string;
  /** The root CID the node computed over the bytes it stored. */
  cid: string;
  /** That CID's sha2-256 digest. */
  contentRoot: Hex;
  /** Ciphertext bytes stored. */
  size: number;
  /** Unix milliseconds after which an uncommitted upload is deleted. */
  expiresAt: number;
};

export type UploadInput = {
  /** The patient whose quota pays for the bytes: checked before any byte is stored. */
  patient: Address;
  /** The ciphertext size when known in advance (lets the node refuse an over-quota upload early). */
  size?: number;
  /** The ciphertext, consumed once. */
  body: AsyncIterable<Uint8Array>;
  onProgress?: OnProgress;
  signal?: AbortSignal;
};

export type CommitInput = {
  uploadId: string;
  /** The signed anchor entry; its contentRoot must be the upload's. */
  entry: AnchorEntry;
  /** The data key wrapped for the patient, the creator and every other reader. */
  wrappedKeys: WrappedKeyFor[];
  /** The encrypted metadata envelope; `entry.metadataHash` is its sha2-256. */
  metadata: Uint8Array;
  idempotencyKey?: string;
};

/** One record of a batch write: everything of a commit, and the whole ciphertext. */
export type BatchRecordInput = {
  /** The signed anchor entry; its contentRoot must be the root of `content`. */
  entry: AnchorEntry;
  wrappedKeys: WrappedKeyFor[];
  metadata: Uint8Array;
  /** The whole ciphertext (small records: it travels in the batch's JSON). */
  content: Uint8Array;
};

/** How large a batch the node takes (its `/info`). */
export type BatchLimits = { maxRecords: number; maxBytes: number };

export type AnchorState = 'pending' | 'submitted' | 'confirmed' | 'failed';

/** A record as the node lists it: public fields only (metadata stays encrypted). */
export type RecordSummary = {
  recordId: Hex;
  patient: Address;
  creator: Address;
  /** bytes32 label of the category, e.g. bytes32Label('Observation'). */
  category: Hex;
  cid: string;
  /** Ciphertext bytes. */
  size: number;
  /** Unix milliseconds. */
  createdAt: number;
  anchor: { state: AnchorState };
  /** The encrypted metadata envelope, when the node returns it. */
  metadata?: Uint8Array;
};

export type Page<T> = { items: T[]; nextCursor?: string };

/** A record's content as the node releases it. */
export type ReadResult = {
  /** The caller's own wrapped key; null if none was wrapped for the caller. */
  wrappedKey: Hex | null;
  /** Ciphertext size (the Content-Length), when the node sends it. */
  size: number | undefined;
  /**
   * The ciphertext, consumed once. Check it against the signed entry's root (`openRecord`). Its
   * chunks are the reader's: a transport never reuses or keeps one it has yielded, so the reader
   * may free each once it has used it.
   */
  ciphertext: AsyncIterable<Uint8Array>;
};

/** A record's public fields and the caller's wrapped key, without the content. */
export type RecordView = {
  record: RecordSummary;
  wrappedKey: Hex | null;
  /** The purpose of the grant the release went under (absent for the patient). */
  purpose?: Hex;
};

export type RelayKind = 'grant' | 'revoke' | 'guardian' | 'register';

/** Where a relayed on-chain intent stands. */
export type IntentView = {
  id: number;
  kind: string;
  state: AnchorState;
  createdAt: number;
  txHash?: Hex;
  error?: string;
};

/** An audit entry (a release to someone other than the patient) with its Merkle proof. */
export type AuditEntryView = {
  id: number;
  recordId: Hex;
  patient: Address;
  reader: Address;
  purpose: Hex;
  /** Unix seconds. */
  releasedAt: number;
  commit: InclusionView;
};

/** Where an entry stands on chain, with its inclusion proof once batched. */
export type InclusionView = {
  state: AnchorState;
  root?: Hex;
  leaf?: Hex;
  leafIndex?: number;
  proof?: Hex[];
  /** CID of the batch's entry list. */
  cid?: string;
  txHash?: Hex;
};

export interface Transport {
  /** Step 1 of an upload: stream the ciphertext; the node stores it and returns its root. */
  upload(input: UploadInput): Promise<UploadReceipt>;
  /** Step 2: commit the stored upload as a record, with its signed entry and wrapped keys. */
  commit(input: CommitInput): Promise<RecordSummary>;
  /**
   * Many small records in one request, all or nothing, in order. A refusal is the error of the
   * record that caused it, with its position as `batchIndex`.
   */
  writeBatch(records: BatchRecordInput[]): Promise<RecordSummary[]>;
  /** A patient's records, oldest first (for the patient or their guardian). */
  list(query: { patient: Address; cursor?: string; limit?: number }): Promise<Page<RecordSummary>>;
  /** A record's public fields and the caller's wrapped key (audited for anyone but the patient). */
  get(recordId: Hex): Promise<RecordView>;
  /** A record's ciphertext and the caller's wrapped key (audited for anyone but the patient). */
  read(
    recordId: Hex,
    options?: { onProgress?: OnProgress; signal?: AbortSignal },
  ): Promise<ReadResult>;
  /** Store the data key wrapped for a recipient (patient or guardian only). */
  putWrappedKey(recordId: Hex, key: WrappedKeyFor): Promise<void>;
  /** Delete a recipient's wrapped key (part of a revocation; patient or guardian only). */
  deleteWrappedKey(recordId: Hex, recipient: Address): Promise<void>;
  /** Who holds a wrapped key of a record. */
  keyHolders(recordId: Hex): Promise<Address[]>;
  /**
   * Who a writer must wrap a new record's key for besides the patient and itself, per category
   * (bytes32 labels, up to 64 at once): the patient's guardian and the holders of live grants on
   * the category. Their encryption keys are read from the chain (`resolveWriteRecipients`), not
   * taken from the node. Keys are the categories in lower case.
   */
  writeRecipients(query: { patient: Address; categories: Hex[] }): Promise<Record<Hex, Address[]>>;
  /** Relay a signed grant, revocation, guardian change or registration through the forwarder. */
  relay(
    kind: RelayKind,
    request: SignedForwardRequest,
    options?: { idempotencyKey?: string },
  ): Promise<IntentView>;
  intent(id: number): Promise<IntentView>;
  /** A patient's audit trail, each entry with its proof once committed. */
  audit(query: {
    patient: Address;
    cursor?: string;
    limit?: number;
  }): Promise<Page<AuditEntryView>>;
  /** A record's signed anchor entry and its inclusion proof. */
  proof(recordId: Hex): Promise<{ entry: AnchorEntry; anchor: InclusionView }>;
}
