import type { Account, Address } from '@aegle/crypto';
import {
  decryptMetadataFor,
  labelText,
  type RecordMetadata,
  type RecordSummary,
  readRecord,
} from '@aegle/sdk';
import type { Hex } from 'viem';
import type { ArchiveHeader } from './archive-format.ts';
import { ArchivePatientError } from './errors.ts';
import { FHIR_JSON } from './import-manifest.ts';
import { mapBounded } from './map-bounded.ts';
import type { ArchivedRecord, ScannedArchive } from './read-archive.ts';
import type { PlannedRecord } from './store-import.ts';

/** The archive keeps the entry's bigints as decimal strings (JSON has none). */
function reviveEntry(entry: Record<string, string>): Record<string, unknown> {
  return { ...entry, nonce: BigInt(entry.nonce ?? '0'), signedAt: BigInt(entry.signedAt ?? '0') };
}

/**
 * An archived record's plaintext, checked as a read from the source node would be: the creator's
 * signature over the entry (for the source deployment) and the ciphertext against the entry's
 * content root, segment by segment and whole; a failure throws (IntegrityError and the like).
 */
function openArchived(
  account: Account,
  header: ArchiveHeader,
  item: ArchivedRecord,
): AsyncGenerator<Uint8Array, unknown, undefined> {
  const entry = reviveEntry(item.entry);
  const transport = {
    proof: async () => ({ entry, anchor: {} }),
    read: async () => ({
      wrappedKey: item.wrappedKey,
      size: item.ciphertextSize,
      ciphertext: item.ciphertext(),
    }),
  } as unknown as Parameters<typeof readRecord>[0]['transport'];
  return readRecord({
    transport,
    recordId: item.record.recordId,
    account,
    deployment: { chainId: header.deployment.chainId, records: header.deployment.records },
    ...(header.chunkSize !== undefined && { chunkSize: header.chunkSize }),
  });
}

/**
 * Opens every archived record with the patient's key and checks it (see openArchived), and its
 * metadata against its hash, before anything is written: a damaged archive stores nothing.
 * Returns the records to write on this node: the same plaintext and metadata, plus `movedFrom`
 * naming the original record. FHIR resources are small and come back in memory; any other
 * record (an imaging study, a genome) is read, checked and decrypted from the file a second time
 * as it is uploaded, so a record of any size is restored in constant memory.
 */
export async function planArchiveRestore(
  account: Account,
  patient: Address,
  archive: ScannedArchive,
  source: string,
): Promise<{ attachments: PlannedRecord[]; resources: PlannedRecord[] }> {
  const { header } = archive;
  if (
    header.patient.toLowerCase() !== patient.toLowerCase() ||
    account.address.toLowerCase() !== patient.toLowerCase()
  ) {
    throw new ArchivePatientError(source);
  }
  const opened = await mapBounded(archive.records, 8, async (item) => {
    const entry = reviveEntry(item.entry);
    const metadata: RecordMetadata = await decryptMetadataFor({
      record: {
        ...(item.record as unknown as RecordSummary),
        metadata: new Uint8Array(Buffer.from(item.metadata, 'base64')),
      },
      wrappedKey: item.wrappedKey,
      account,
      expectedHash: entry.metadataHash as Hex,
    });
    const { importId: _, movedFrom: __, ...kept } = metadata;
    const fhir = kept.contentType === FHIR_JSON;
    // Every record is read through once here, so that nothing is written from a damaged archive;
    // only a FHIR resource's plaintext is kept.
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const part of openArchived(account, header, item)) {
      size += part.length;
      if (fhir) parts.push(part);
    }
    const planned: PlannedRecord = {
      category: labelText(item.record.category),
      content: fhir
        ? new Uint8Array(Buffer.concat(parts))
        : () => openArchived(account, header, item),
      size,
      metadata: {
        ...kept,
        movedFrom: {
          recordId: item.record.recordId,
          chainId: header.deployment.chainId,
          records: header.deployment.records,
          creator: item.record.creator,
          contentRoot: entry.contentRoot,
          createdAt: item.record.createdAt,
        },
      },
      label:
        typeof kept.resourceType === 'string'
          ? `${kept.resourceType}/${String(kept.fhirId)}`
          : `record ${item.record.recordId}`,
    };
    return { planned, fhir };
  });
  return {
    attachments: opened.filter((o) => !o.fhir).map((o) => o.planned),
    resources: opened.filter((o) => o.fhir).map((o) => o.planned),
  };
}
