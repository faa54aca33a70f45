import { randomUUID } from 'node:crypto';
import type { Address } from '@aegle/crypto';
import type { Resource } from '@aegle/fhir';
import {
  type AegleClient,
  BatchWriteError,
  type RecordMetadata,
  type RecordSummary,
} from '@aegle/sdk';
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

/** How long a write keeps retrying while the node rate-limits this session. */
const RATE_LIMIT_PATIENCE_MS = 120_000;

/**
 * Runs `fn` again, with growing pauses, while the node answers 429: a node limits requests per
 * session (600 a minute by default), and a large import is a burst of them. A record that was
 * refused is written afresh (a new record id); an upload the node took but never saw committed
 * expires there.
 */
async function retryWhenRateLimited<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + RATE_LIMIT_PATIENCE_MS;
  let pause = 250;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if ((error as Error).name !== 'RateLimitedError' || Date.now() + pause > deadline)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
      pause = Math.min(pause * 2, 5_000);
    }
  }
}

/**
 * Writes in-memory records (FHIR resources) with the SDK's batched write: one request per few
 * hundred records instead of three per record. Streamed ones (attachments) go one by one.
 */
async function writeSmallRecords(
  client: AegleClient,
  patient: Address,
  items: PlannedRecord[],
  o: {
    importId: string;
    source: string;
    storedBefore: number;
    onProgress: (written: number) => void;
  },
): Promise<RecordSummary[]> {
  try {
    return await client.addRecords(
      items.map((item) => {
        if (typeof item.content === 'function') {
          throw new TypeError(`${item.label}: a streamed record cannot be batched`);
        }
        return {
          patient,
          category: item.category,
          content: item.content,
          metadata: { ...item.metadata, importId: o.importId },
        };
      }),
      { onProgress: o.onProgress },
    );
  } catch (error) {
    const failed = error instanceof BatchWriteError ? error : undefined;
    throw new ImportIncompleteError({
      source: o.source,
      entry: items[failed?.index ?? 0]?.label ?? 'a record',
      stored: o.storedBefore + (failed?.written.length ?? 0),
      cause: failed?.cause ?? error,
    });
  }
}

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
  const records = await writeSmallRecords(client, patient, resources, {
    importId,
    source: options.source,
    storedBefore: stored,
    onProgress: (written) => options.onProgress?.(stored + written, total),
  });
  stored += records.length;
  const describe = (items: PlannedRecord[], written: RecordSummary[]) =>
    items.map((item, i) => {
      const record = written[i] as RecordSummary;
      const m = item.metadata;
      return {
        recordId: record.recordId,
        ...(typeof m.resourceType === 'string' && { resourceType: m.resourceType }),
        ...(typeof m.fhirId === 'string' && { fhirId: m.fhirId }),
        ...(typeof m.fileName === 'string' && { name: m.fileName }),
        record,
      };
    });
  const out = {
    records: describe(resources, records),
    attachments: describe(plan.attachments, attachmentRecords),
  };
  const manifest: ImportManifest = {
    importId,
    format: options.format,
    startedAt,
    records: out.records.map(({ record: _, ...rest }) => rest),
    attachments: out.attachments.map(({ record: _, ...rest }) => rest),
    ...(options.movedFrom && { movedFrom: options.movedFrom }),
  };
  let manifestRecord: RecordSummary;
  try {
    manifestRecord = await retryWhenRateLimited(() =>
      client.addRecord({
        patient,
        category: IMPORT_MANIFEST_CATEGORY,
        content: new TextEncoder().encode(JSON.stringify(manifest)),
        metadata: { contentType: IMPORT_MANIFEST_TYPE, importManifest: importId },
      }),
    );
  } catch (cause) {
    throw new ImportIncompleteError({
      source: options.source,
      entry: 'the import manifest',
      stored,
      cause,
    });
  }
  return { importId, manifest: manifestRecord, ...out };
}
