import { randomUUID } from 'node:crypto';
import { type Address, randomBytes } from '@aegle/crypto';
import type { Resource } from '@aegle/fhir';
import {
  type AddRecordsItem,
  type AegleClient,
  BatchWriteError,
  type RecordMetadata,
  type RecordSummary,
  retryWhenRateLimited,
} from '@aegle/sdk';
import { bytesToHex, type Hex } from 'viem';
import { ImportIncompleteError } from './errors.ts';
import {
  FHIR_JSON,
  IMPORT_MANIFEST_CATEGORY,
  IMPORT_MANIFEST_TYPE,
  type ImportManifest,
  type ManifestRecord,
} from './import-manifest.ts';
import { mapBounded } from './map-bounded.ts';

/** Uploads in flight at once: enough to hide round trips, few enough to keep memory flat. */
export const DEFAULT_CONCURRENCY = 16;

/** One record to write: its public category, its bytes and its private description. */
export type PlannedRecord = {
  category: string;
  content: Uint8Array | (() => AsyncIterable<Uint8Array>);
  size?: number;
  metadata: RecordMetadata;
  /** How a failure names it: `Observation/abc`, a file name. */
  label: string;
};

export type StoreImportOptions = {
  /** Named in errors: the file, or `transaction`. */
  source: string;
  format: string;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  movedFrom?: ImportManifest['movedFrom'];
};

export type StoredImport = {
  importId: string;
  manifest: RecordSummary;
  records: (ManifestRecord & { record: RecordSummary })[];
  attachments: (ManifestRecord & { record: RecordSummary })[];
};

/**
 * Writes in-memory records (FHIR resources, then the manifest) with the SDK's batched write: one
 * request per up to 128 records instead of three per record, in order, each batch all or nothing.
 * Streamed ones (attachments) go one by one. A failure names the record (`labels`) and counts
 * what was stored before its batch.
 */
async function writeSmallRecords(
  client: AegleClient,
  items: AddRecordsItem[],
  o: {
    labels: string[];
    source: string;
    storedBefore: number;
    onProgress: (written: number) => void;
  },
): Promise<RecordSummary[]> {
  try {
    return await client.addRecords(items, { onProgress: o.onProgress });
  } catch (error) {
    const failed = error instanceof BatchWriteError ? error : undefined;
    throw new ImportIncompleteError({
      source: o.source,
      entry: o.labels[failed?.index ?? 0] ?? 'a record',
      stored: o.storedBefore + (failed?.written.length ?? 0),
      cause: failed?.cause ?? error,
    });
  }
}

/**
 * A record id chosen before the write (the manifest names it): 32 random bytes, from
 * @aegle/crypto's pool (node:crypto's randomBytes took 5–9 µs a call, one per resource).
 */
const newRecordId = (): Hex => bytesToHex(randomBytes(32));

/** A FHIR resource as a planned record (category: its resource type). */
export function resourceRecord(resource: Resource, extra: RecordMetadata = {}): PlannedRecord {
  return {
    category: resource.resourceType,
    content: new TextEncoder().encode(JSON.stringify(resource)),
    metadata: {
      ...extra,
      contentType: FHIR_JSON,
      resourceType: resource.resourceType,
      fhirId: resource.id,
    },
    label: `${resource.resourceType}/${resource.id}`,
  };
}

/**
 * Writes one import as a unit: `attachments` first (their record ids may be needed to build the
 * resources), then the records from `resources(attachmentRecords)`, with bounded concurrency, each
 * tagged with a fresh import id, then the manifest naming all of them. The manifest is the commit
 * point: until it exists, export and the FHIR server show none of the import's records, so a
 * failure part-way leaves the patient's visible record unchanged (ImportIncompleteError).
 */
export async function storeImport(
  client: AegleClient,
  patient: Address,
  plan: {
    attachments: PlannedRecord[];
    resources: (attachments: RecordSummary[]) => PlannedRecord[];
  },
  options: StoreImportOptions,
): Promise<StoredImport> {
  const importId = randomUUID();
  const startedAt = Date.now();
  const limit = options.concurrency ?? DEFAULT_CONCURRENCY;
  let stored = 0;
  let total = plan.attachments.length;
  const write = async (item: PlannedRecord): Promise<RecordSummary> => {
    try {
      // On a 429 the record is written afresh (a new record id, its stream opened again); an
      // upload the node took but never saw committed expires there.
      const record = await retryWhenRateLimited(() =>
        client.addRecord({
          patient,
          category: item.category,
          content: typeof item.content === 'function' ? item.content() : item.content,
          ...(item.size !== undefined && { size: item.size }),
          metadata: { ...item.metadata, importId },
        }),
      );
      stored++;
      options.onProgress?.(stored, total);
      return record;
    } catch (cause) {
      throw new ImportIncompleteError({ source: options.source, entry: item.label, stored, cause });
    }
  };
  const attachmentRecords = await mapBounded(plan.attachments, limit, write);
  const resources = plan.resources(attachmentRecords);
  total += resources.length;
  const resourceIds = resources.map(newRecordId);
  const describe = (items: PlannedRecord[], ids: Hex[]): ManifestRecord[] =>
    items.map((item, i) => {
      const m = item.metadata;
      return {
        recordId: ids[i] as Hex,
        ...(typeof m.resourceType === 'string' && { resourceType: m.resourceType }),
        ...(typeof m.fhirId === 'string' && { fhirId: m.fhirId }),
        ...(typeof m.fileName === 'string' && { name: m.fileName }),
      };
    });
  const manifest: ImportManifest = {
    importId,
    format: options.format,
    startedAt,
    records: describe(resources, resourceIds),
    attachments: describe(
      plan.attachments,
      attachmentRecords.map((r) => r.recordId),
    ),
    ...(options.movedFrom && { movedFrom: options.movedFrom }),
  };
  // The resources, then the manifest naming them, in one batched write: the manifest goes in the
  // last batch, written only once every earlier one is stored, and all or nothing with it.
  const written = await writeSmallRecords(
    client,
    [
      ...resources.map((item, i): AddRecordsItem => {
        if (typeof item.content === 'function') {
          throw new TypeError(`${item.label}: a streamed record cannot be batched`);
        }
        return {
          patient,
          category: item.category,
          content: item.content,
          metadata: { ...item.metadata, importId },
          recordId: resourceIds[i] as Hex,
        };
      }),
      {
        patient,
        category: IMPORT_MANIFEST_CATEGORY,
        content: new TextEncoder().encode(JSON.stringify(manifest)),
        metadata: { contentType: IMPORT_MANIFEST_TYPE, importManifest: importId },
      },
    ],
    {
      labels: [...resources.map((r) => r.label), 'the import manifest'],
      source: options.source,
      storedBefore: stored,
      onProgress: (written) =>
        options.onProgress?.(stored + Math.min(written, resources.length), total),
    },
  );
  const manifestRecord = written[resources.length] as RecordSummary;
  const withRecords = (described: ManifestRecord[], records: RecordSummary[]) =>
    described.map((d, i) => ({ ...d, record: records[i] as RecordSummary }));
  const out = {
    records: withRecords(manifest.records, written.slice(0, resources.length)),
    attachments: withRecords(manifest.attachments, attachmentRecords),
  };
  return { importId, manifest: manifestRecord, ...out };
}
