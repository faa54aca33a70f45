// The data-source contract the SDK relies on to audit: every resource the server sends was
// returned by read or readVersion for that request, one call per resource; what listResources
// yields is used for matching only. An auditing source (over the real memory source) records the
// calls and marks what it lists, so a listed copy leaking into a response would show.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from 'fhir-kit-client';
import type { Resource } from '../../src/convert/fhir-types.ts';
import {
  createFhirServer,
  type FhirDataSource,
  type FhirServer,
  type ListHints,
  MemoryFhirDataSource,
  type StoredResource,
  splitBundle,
} from '../../src/index.ts';

const BUNDLE = path.resolve(
  import.meta.dirname,
  '../../../../../../shared/fixtures/synthea/Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json',
);
const LISTED = { system: 'urn:test', code: 'listed-not-read' };

class AuditingSource implements FhirDataSource {
  readonly inner = new MemoryFhirDataSource();
  readonly audit: string[] = [];

  async *listResources(hints: ListHints): AsyncIterable<StoredResource> {
    for await (const stored of this.inner.listResources(hints)) {
      const meta = (stored.resource.meta ?? {}) as { tag?: unknown[] };
      yield {
        ...stored,
        resource: { ...stored.resource, meta: { ...meta, tag: [...(meta.tag ?? []), LISTED] } },
      };
    }
  }

  async read(type: string, id: string) {
    this.audit.push(`read ${type}/${id}`);
    return this.inner.read(type, id);
  }

  async readVersion(type: string, id: string, versionId: string) {
    this.audit.push(`vread ${type}/${id}/${versionId}`);
    return this.inner.readVersion(type, id, versionId);
  }

  create(resources: readonly Resource[]) {
    return this.inner.create(resources);
  }
}

type Json = { [key: string]: unknown; entry?: { resource: Resource }[] };
let source: AuditingSource;
let server: FhirServer;
let client: Client;
let patientId: string;

before(async () => {
  source = new AuditingSource();
  const { resources } = splitBundle(JSON.parse(readFileSync(BUNDLE, 'utf8')));
  for (const resource of resources) source.inner.add(resource);
  patientId = resources.find((r) => r.resourceType === 'Patient')?.id as string;
  server = await createFhirServer({ source });
  client = new Client({ baseUrl: server.url });
});

after(() => server.close());

const sentIds = (bundle: Json) =>
  (bundle.entry ?? []).map((e) => `read ${e.resource.resourceType}/${e.resource.id}`);
const leaked = (bundle: Json) =>
  (bundle.entry ?? []).filter((e) => JSON.stringify(e.resource.meta ?? {}).includes(LISTED.code));

test('a search page reads exactly the resources it sends, and sends nothing it only listed', async () => {
  source.audit.length = 0;
  const page = (await client.search({
    resourceType: 'Observation',
    searchParams: { patient: patientId, _count: 7 },
  })) as Json;
  assert.equal(page.entry?.length, 7);
  assert.deepEqual(source.audit, sentIds(page));
  assert.deepEqual(leaked(page), []);
});

test('$everything reads each resource it sends (the Patient checked first)', async () => {
  source.audit.length = 0;
  const bundle = (await client.operation({
    name: '$everything',
    resourceType: 'Patient',
    id: patientId,
    method: 'GET',
    input: { _count: '10' },
  })) as Json;
  assert.equal(bundle.entry?.length, 10);
  assert.deepEqual(source.audit, [`read Patient/${patientId}`, ...sentIds(bundle)]);
  assert.deepEqual(leaked(bundle), []);
});

test('read and vread are one audited call each; a failed lookup is audited too', async () => {
  source.audit.length = 0;
  await client.read({ resourceType: 'Patient', id: patientId });
  await client.vread({ resourceType: 'Patient', id: patientId, version: '1' });
  await assert.rejects(client.read({ resourceType: 'Patient', id: 'nobody' }));
  assert.deepEqual(source.audit, [
    `read Patient/${patientId}`,
    `vread Patient/${patientId}/1`,
    'read Patient/nobody',
  ]);
});
