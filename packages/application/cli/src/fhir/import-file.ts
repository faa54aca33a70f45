import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Account, Address } from '@aegle/crypto';
import type { AegleClient } from '@aegle/sdk';
import { isArchive, scanArchive } from './read-archive.ts';
import { planArchiveRestore } from './restore-archive.ts';
import {
  type PlannedRecord,
  resourceRecord,
  type StoredImport,
  storeImport,
} from './store-import.ts';

export type ImportFileOptions = {
  /** Fitbit only: its times carry no zone. */
  utcOffset?: string;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
};

export type ImportedFile = StoredImport & { format: string; skipped: string[] };

/**
 * Imports one file for a patient, all or nothing: an Aegle archive is opened and checked whole
 * (streamed: its large records are read again from the file as they are uploaded),
 * any other file is converted to FHIR whole (convertToFhir: a conversion error names the file,
 * the entry and the reason), before the first upload; then storeImport writes the records and,
 * last, the manifest that makes them visible.
 */
export async function importFile(
  client: AegleClient,
  account: Account,
  patient: Address,
  file: string,
  options: ImportFileOptions = {},
): Promise<ImportedFile> {
  const source = basename(file);
  const common = {
    source,
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    ...(options.onProgress && { onProgress: options.onProgress }),
  };
  if (await isArchive(file)) {
    const archive = await scanArchive(file, source);
    const plan = await planArchiveRestore(account, patient, archive, source);
    const stored = await storeImport(
      client,
      patient,
      { attachments: plan.attachments, resources: () => plan.resources },
      { ...common, format: 'aegle-archive', movedFrom: archive.header.deployment },
    );
    return { ...stored, format: 'aegle-archive', skipped: [] };
  }
  const { convertToFhir, fillAttachmentUrls } = await import('@aegle/fhir');
  const converted = await convertToFhir(file, {
    sourceName: source,
    subject: { reference: `Patient/${patient}` },
    ...(options.utcOffset !== undefined && { utcOffset: options.utcOffset }),
  });
  // Original files (DICOM, VCF) are records of their own; the resources then point at them by
  // record id, so they go first.
  const attachments: PlannedRecord[] = converted.attachments.map((a) => ({
    category: a.contentType === 'application/dicom' ? 'Imaging' : 'Attachment',
    content: a.bytes ?? (() => createReadStream(a.path as string, { highWaterMark: 1 << 20 })),
    size: a.size,
    metadata: { contentType: a.contentType, fileName: a.name, sha256: a.sha256 },
    label: a.name,
  }));
  const stored = await storeImport(
    client,
    patient,
    {
      attachments,
      resources: (records) => {
        const urls = new Map<string, string>();
        converted.attachments.forEach((a, i) => {
          urls.set(a.url, `aegle:record:${records[i]?.recordId}`);
        });
        return fillAttachmentUrls(converted.resources, urls).map((r) => resourceRecord(r));
      },
    },
    { ...common, format: converted.format },
  );
  return { ...stored, format: converted.format, skipped: converted.skipped };
}
