import type { Account, Address } from '@aegle/crypto';
import {
  decryptMetadataFor,
  labelText,
  type RecordMetadata,
  type RecordSummary,
  readRecord,
} from '@aegle/sdk';
import type { Hex } from 'viem';
import type { ArchiveHeader, ArchiveRecord } from './archive-format.ts';
import { ArchivePatientError } from './errors.ts';
import { FHIR_JSON } from './import-manifest.ts';
import { mapBounded } from './map-bounded.ts';
import type { PlannedRecord } from './store-import.ts';

/** The archive keeps the entry's bigints as decimal strings (JSON has none). */
function reviveEntry(entry: Record<string, string>): Record<string, unknown> {
  return { ...entry, nonce: BigInt(entry.nonce ?? '0'), signedAt: BigInt(entry.signedAt ?? '0') };
}

/**
 * Opens every archived record with the patient's key, checked as a read from the source node
 * would be: the creator's signature over the entry (for the source deployment), the ciphertext
 * against the entry's content root, the metadata against its hash. Returns the records to write
 * on this node: the same plaintext and metadata, plus `movedFrom` naming the original record.
 * Nothing is written here, so a damaged archive stores nothing.
 */
export async function planArchiveRestore(
  account: Account,
  patient: Address,
  archive: { header: ArchiveHeader; records: ArchiveRecord[] },
  source: string,
): Promise<{ attachments: PlannedRecord[]; resources: PlannedRecord[] }> {
  const { header } = archive;
  if (
    header.patient.toLowerCase() !== patient.toLowerCase() ||
    account.address.toLowerCase() !== patient.toLowerCase()
  ) {
    throw new ArchivePatientError(source);
  }
  const deployment = { chainId: header.deployment.chainId, records: header.deployment.records };
  const opened = await mapBounded(archive.records, 8, async (item) => {
    const ciphertext = Buffer.from(item.ciphertext, 'base64');
    const entry = reviveEntry(item.entry);
    const transport = {
      proof: async () => ({ entry, anchor: {} }),
      read: async () => ({
        wrappedKey: item.wrappedKey,
        size: ciphertext.length,
        ciphertext: (async function* () {
          yield new Uint8Array(ciphertext);
        })(),
      }),
    } as unknown as Parameters<typeof readRecord>[0]['transport'];
    const parts: Uint8Array[] = [];
    for await (const part of readRecord({
      transport,
      recordId: item.record.recordId,
      account,
      deployment,
      ...(header.chunkSize !== undefined && { chunkSize: header.chunkSize }),
    })) {
      parts.push(part);
    }
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
    const plaintext = new Uint8Array(Buffer.concat(parts));
    const category = labelText(item.record.category);
    const planned: PlannedRecord = {
      category,
      content: plaintext,
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
    return { planned, fhir: kept.contentType === FHIR_JSON };
  });
  return {
    attachments: opened.filter((o) => !o.fhir).map((o) => o.planned),
    resources: opened.filter((o) => o.fhir).map((o) => o.planned),
  };
}
