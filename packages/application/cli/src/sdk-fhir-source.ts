import type { Address } from '@aegle/crypto';
import type { FhirDataSource, Resource, StoredResource } from '@aegle/fhir';
import type { AegleClient, RecordSummary } from '@aegle/sdk';
import type { Hex } from 'viem';

export const FHIR_JSON = 'application/fhir+json';

type Entry = { recordId: Hex; record: RecordSummary; resourceType: string; fhirId: string };

async function readText(client: AegleClient, recordId: Hex): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const part of client.readRecord(recordId)) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

/** Stores one FHIR resource as a record (category: its resource type). */
export async function addResource(
  client: AegleClient,
  patient: Address,
  resource: Resource,
): Promise<RecordSummary> {
  return client.addRecord({
    patient,
    category: resource.resourceType,
    content: new TextEncoder().encode(JSON.stringify(resource)),
    metadata: { contentType: FHIR_JSON, resourceType: resource.resourceType, fhirId: resource.id },
  });
}

/**
 * The FHIR server's data source over the SDK client, for one patient (the acting identity, or the
 * patient it is guardian of). Which records are FHIR resources, and their ids, is read from each
 * record's encrypted metadata; every `read` and `readVersion` fetches and decrypts the record
 * from the node again, so each disclosure is one release the node audits (for anyone but the
 * patient). Plaintext stays in memory.
 */
export function createSdkFhirSource(client: AegleClient, patient: Address): FhirDataSource {
  let index: Promise<Map<string, Entry>> | undefined;
  const key = (type: string, id: string) => `${type}/${id}`;

  async function buildIndex(): Promise<Map<string, Entry>> {
    const map = new Map<string, Entry>();
    for (const record of await client.listRecords({ patient })) {
      const { metadata } = await client.describeRecord(record.recordId);
      if (metadata.contentType !== FHIR_JSON || typeof metadata.resourceType !== 'string') continue;
      const fhirId =
        typeof metadata.fhirId === 'string' ? metadata.fhirId : record.recordId.slice(2);
      map.set(key(metadata.resourceType, fhirId), {
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
      const resource = JSON.parse(await readText(client, entry.recordId)) as Resource;
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
      // Records are never deleted, so "all or none" holds as far as the writes go in order: a
      // failure stops at the first resource that could not be stored and reports it.
      const out: StoredResource[] = [];
      const map = await entries();
      for (const resource of resources) {
        const record = await addResource(client, patient, resource);
        const fhirId = resource.id as string;
        map.set(key(resource.resourceType, fhirId), {
          recordId: record.recordId,
          record,
          resourceType: resource.resourceType,
          fhirId,
        });
        out.push({
          resource,
          versionId: record.cid,
          lastUpdated: new Date(record.createdAt),
          patientId: patient,
        });
      }
      return out;
    },
  };
}
