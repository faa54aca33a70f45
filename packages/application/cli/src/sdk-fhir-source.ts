import type { Address } from '@aegle/crypto';
import type { FhirDataSource, Resource, StoredResource } from '@aegle/fhir';
import type { AegleClient, RecordSummary } from '@aegle/sdk';
import type { Hex } from 'viem';
import { listVisibleRecords, readBytes } from './fhir/committed-records.ts';
import { FHIR_JSON } from './fhir/import-manifest.ts';
import { resourceRecord, storeImport } from './fhir/store-import.ts';

export { FHIR_JSON };

type Entry = { recordId: Hex; record: RecordSummary; resourceType: string; fhirId: string };

/**
 * The FHIR server's data source over the SDK client, for one patient (the acting identity, or the
 * patient it is guardian of). Which records are FHIR resources, and their ids, is read from each
 * record's encrypted metadata; only records of committed imports count (fhir/committed-records.ts).
 * When two records carry the same Type/id, the later one is the resource (a re-import is a new
 * version). Every `read` and `readVersion` fetches and decrypts the record from the node again,
 * so each disclosure is one release the node audits (for anyone but the patient). Plaintext stays
 * in memory.
 */
export function createSdkFhirSource(client: AegleClient, patient: Address): FhirDataSource {
  let index: Promise<Map<string, Entry>> | undefined;
  const key = (type: string, id: string) => `${type}/${id}`;

  async function buildIndex(): Promise<Map<string, Entry>> {
    const map = new Map<string, Entry>();
    const { records } = await listVisibleRecords(client, patient);
    for (const { record, metadata } of records) {
      if (metadata.contentType !== FHIR_JSON || typeof metadata.resourceType !== 'string') continue;
      const fhirId =
        typeof metadata.fhirId === 'string' ? metadata.fhirId : record.recordId.slice(2);
      const k = key(metadata.resourceType, fhirId);
      const seen = map.get(k);
      if (seen && seen.record.createdAt > record.createdAt) continue;
      map.set(k, {
        recordId: record.recordId,
        record,
        resourceType: metadata.resourceType,
        fhirId,
      });
    }
    return map;
  }
  const entries = () => {
    index ??= buildIndex();
    return index;
  };

  async function stored(entry: Entry): Promise<StoredResource | undefined> {
    try {
      const resource = JSON.parse(
        (await readBytes(client, entry.recordId)).toString('utf8'),
      ) as Resource;
      return {
        resource: { ...resource, id: entry.fhirId },
        versionId: entry.record.cid,
        lastUpdated: new Date(entry.record.createdAt),
        patientId: patient,
      };
    } catch (error) {
      // Revoked or gone since it was listed: to the server, a resource that does not exist.
      if (
        (error as Error).name === 'NotGrantedError' ||
        (error as Error).name === 'NotFoundError'
      ) {
        return undefined;
      }
      throw error;
    }
  }

  return {
    async *listResources(hints) {
      for (const entry of (await entries()).values()) {
        if (hints.resourceType && entry.resourceType !== hints.resourceType) continue;
        // Matching needs the content; these reads are not disclosures (the server re-reads
        // with `read` what it sends).
        const value = await stored(entry);
        if (value) yield value;
      }
    },
    async read(resourceType, id) {
      const entry = (await entries()).get(key(resourceType, id));
      return entry ? stored(entry) : undefined;
    },
    async readVersion(resourceType, id, versionId) {
      const entry = (await entries()).get(key(resourceType, id));
      return entry && entry.record.cid === versionId ? stored(entry) : undefined;
    },
    async create(resources) {
      // A create or a transaction is one import: every resource is uploaded, then one manifest
      // commits them together, so a failure part-way leaves none of them visible.
      const map = await entries();
      const done = await storeImport(
        client,
        patient,
        { attachments: [], resources: () => resources.map((r) => resourceRecord(r)) },
        { source: resources.length === 1 ? 'create' : 'transaction', format: 'fhir-rest' },
      );
      return done.records.map(({ record }, i) => {
        const resource = resources[i] as Resource;
        const fhirId = resource.id as string;
        map.set(key(resource.resourceType, fhirId), {
          recordId: record.recordId,
          record,
          resourceType: resource.resourceType,
          fhirId,
        });
        return {
          resource,
          versionId: record.cid,
          lastUpdated: new Date(record.createdAt),
          patientId: patient,
        };
      });
    },
  };
}
