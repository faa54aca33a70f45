import type { Address } from '@aegle/crypto';
import type { AegleClient, RecordMetadata, RecordSummary } from '@aegle/sdk';
import type { Hex } from 'viem';
import { IMPORT_MANIFEST_TYPE, type ImportManifest } from './import-manifest.ts';
import { mapBounded } from './map-bounded.ts';

export type VisibleRecord = { record: RecordSummary; metadata: RecordMetadata };

const READ_CONCURRENCY = 16;

function unreadable(error: unknown): boolean {
  const name = (error as Error).name;
  return (
    name === 'NotGrantedError' || name === 'NotFoundError' || name === 'MissingWrappedKeyError'
  );
}

export async function readBytes(client: AegleClient, recordId: Hex): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of client.readRecord(recordId)) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * A patient's records as this account may see them, with their decrypted metadata: records of
 * committed imports (a manifest lists them) and records written outside any import; manifests
 * themselves and records of imports that never committed are left out. The patient and a
 * guardian open every record, so for them this is exact; a grantee who cannot open some record
 * (one without the `Import` category) cannot tell an unfinished import from a committed one, and
 * sees the records of imports whose manifest it cannot read.
 */
export async function listVisibleRecords(
  client: AegleClient,
  patient: Address,
): Promise<{ records: VisibleRecord[]; manifests: ImportManifest[] }> {
  const listed = await client.listRecords({ patient });
  const described = await mapBounded(listed, READ_CONCURRENCY, async (record) => {
    try {
      return { record, metadata: (await client.describeRecord(record.recordId)).metadata };
    } catch (error) {
      if (unreadable(error)) return undefined;
      throw error;
    }
  });
  const readable = described.filter((d): d is VisibleRecord => d !== undefined);
  const manifests: ImportManifest[] = [];
  let hiddenManifests = listed.length - readable.length > 0;
  await mapBounded(
    readable.filter((d) => d.metadata.contentType === IMPORT_MANIFEST_TYPE),
    READ_CONCURRENCY,
    async (d) => {
      try {
        manifests.push(
          JSON.parse(
            (await readBytes(client, d.record.recordId)).toString('utf8'),
          ) as ImportManifest,
        );
      } catch (error) {
        if (!unreadable(error)) throw error;
        hiddenManifests = true;
      }
    },
  );
  const committed = new Map<string, Set<string>>();
  for (const m of manifests) {
    const ids = committed.get(m.importId) ?? new Set<string>();
    for (const r of [...m.records, ...m.attachments]) ids.add(r.recordId.toLowerCase());
    committed.set(m.importId, ids);
  }
  const records = readable.filter(({ record, metadata }) => {
    if (metadata.contentType === IMPORT_MANIFEST_TYPE) return false;
    if (typeof metadata.importId !== 'string') return true;
    const ids = committed.get(metadata.importId);
    if (ids) return ids.has(record.recordId.toLowerCase());
    // No manifest we can read names this import: unfinished, unless this reader could not open
    // every record (the manifest may be among those), and then it cannot tell.
    return hiddenManifests;
  });
  return { records, manifests };
}
