// Acceptance of issue 7's round trip, in-process against one real embedded node: every fixture
// (FHIR resources and Bundles, both whole Synthea patients, HL7 v2, device data, DICOM, VCF)
// imports with the same code `aegle import` runs, exports with the code of `aegle export`, and
// each exported resource equals what went in (the input resources for FHIR, convertToFhir's
// output otherwise) once `meta` is normalised. Also: an import that fails while uploading, and a
// FHIR transaction that fails part-way, leave nothing visible.
import assert from 'node:assert/strict';
import { globSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { type Account, createAccount } from '@aegle/crypto';
import { convertToFhir, fillAttachmentUrls, type Resource } from '@aegle/fhir';
import { type RunningNode, startNode } from '@aegle/node';
import {
  type AegleClient,
  createAegleClient,
  createHttpTransport,
  type HttpTransport,
} from '@aegle/sdk';
import { listVisibleRecords } from '../src/fhir/committed-records.ts';
import { ImportIncompleteError } from '../src/fhir/errors.ts';
import { importFile } from '../src/fhir/import-file.ts';
import { createSdkFhirSource } from '../src/sdk-fhir-source.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'fixtures');
const UTC_OFFSET = '+00:00'; // Fitbit's times carry no zone; the others ignore it.

let dir: string;
let node: RunningNode;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegle-cli-fhir-roundtrip-'));
  // Without the per-session rate limit (600 requests a minute by default), which would make a
  // few hundred records take minutes; import retries through it (store-import.ts).
  node = await startNode({
    dataDir: dir,
    port: 0,
    logFile: false,
    node: { http: { rateLimit: false } },
  });
});
after(async () => {
  await node?.close();
  await rm(dir, { recursive: true, force: true });
});

async function patientClient(
  wrap?: (t: HttpTransport) => Partial<HttpTransport>,
): Promise<{ client: AegleClient; account: Account; faulty?: AegleClient }> {
  const account = createAccount();
  const http = createHttpTransport({ baseUrl: node.url });
  await http.signIn(account);
  const options = { account, deployment: node.chain.deployment, rpcUrl: node.chain.rpcUrl };
  const client = createAegleClient({ ...options, transport: http });
  await client.register('patient');
  return {
    client,
    account,
    ...(wrap && {
      faulty: createAegleClient({ ...options, transport: { ...http, ...wrap(http) } }),
    }),
  };
}

/** `meta` as the store sets it (versionId, lastUpdated) is not the input's. */
function normalise(resource: Resource): Resource {
  const { meta, ...rest } = resource as Resource & { meta?: Record<string, unknown> };
  const { versionId: _v, lastUpdated: _l, ...kept } = meta ?? {};
  return (Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest) as Resource;
}

async function exported(client: AegleClient): Promise<Map<string, Resource>> {
  const out = new Map<string, Resource>();
  for await (const stored of createSdkFhirSource(client, client.address).listResources({})) {
    const r = stored.resource;
    assert.ok(!out.has(`${r.resourceType}/${r.id}`), 'one resource per Type/id');
    out.set(`${r.resourceType}/${r.id}`, r);
  }
  return out;
}

function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

const files = globSync('{fhir/valid,synthea,hl7v2,device,dicom,vcf}/**/*.*', { cwd: fixtures })
  .filter((f) => !f.endsWith('.md'))
  .sort()
  .map((f) => join(fixtures, f));

test('every fixture imports, exports and comes back resource by resource', {
  timeout: 300_000,
}, async () => {
  assert.ok(files.length >= 40, `fixtures found: ${files.length}`);
  const { client, account } = await patientClient();
  const subject = { reference: `Patient/${client.address}` };
  const expected = new Map<string, Resource>();
  const synthea = new Set<string>();
  const hl7 = new Set<string>();
  for (const file of files) {
    const name = relative(fixtures, file);
    const done = await importFile(client, account, client.address, file, { utcOffset: UTC_OFFSET });
    const converted = await convertToFhir(file, { subject, utcOffset: UTC_OFFSET });
    assert.equal(done.format, converted.format, name);
    assert.equal(done.records.length, converted.resources.length, name);
    assert.equal(done.attachments.length, converted.attachments.length, name);
    const urls = new Map(
      converted.attachments.map((a, i) => [
        a.url,
        `aegle:record:${done.attachments[i]?.record.recordId}`,
      ]),
    );
    for (const resource of fillAttachmentUrls(converted.resources, urls)) {
      expected.set(`${resource.resourceType}/${resource.id}`, resource);
      if (name.startsWith('synthea')) synthea.add(`${resource.resourceType}/${resource.id}`);
      if (name.startsWith('hl7v2')) hl7.add(`${resource.resourceType}/${resource.id}`);
    }
  }
  const got = await exported(client);
  assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
  for (const [key, resource] of expected) {
    const back = normalise(got.get(key) as Resource);
    const want = normalise(resource);
    // An HL7 v2 Provenance records when it was converted: the import's conversion was a moment
    // before this test's own.
    if (resource.resourceType === 'Provenance' && hl7.has(key)) {
      assert.ok(typeof back.recorded === 'string', key);
      back.recorded = want.recorded;
    }
    assert.deepEqual(back, want, key);
  }
  // A single FHIR resource with an id comes back as the file held it.
  const patientExample = got.get('Patient/example') as Resource;
  const { readFile } = await import('node:fs/promises');
  assert.deepEqual(
    normalise(patientExample),
    normalise(
      JSON.parse(await readFile(join(fixtures, 'fhir', 'valid', 'Patient-example.json'), 'utf8')),
    ),
  );
  // References inside a Synthea bundle resolve, as Type/id, to resources of the export.
  let resolved = 0;
  for (const key of synthea) {
    for (const ref of references(got.get(key))) {
      if (!/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(ref)) continue;
      assert.ok(got.has(ref), `${key} → ${ref}`);
      resolved++;
    }
  }
  assert.ok(resolved > 100, `references resolved: ${resolved}`);
});

test('an import that fails while uploading leaves nothing visible', {
  timeout: 120_000,
}, async () => {
  // Batches of two records, the third of which fails: the file (one upload) and four resources
  // are stored before the failure.
  let batches = 0;
  const { client, account, faulty } = await patientClient((http) => ({
    info: async () => ({ ...(await http.info()), batch: { maxRecords: 2, maxBytes: 1 << 20 } }),
    writeBatch: async (records) => {
      if (++batches === 3) throw new Error('connection reset');
      return http.writeBatch(records);
    },
  }));
  const file = join(fixtures, 'hl7v2', 'ORU-R01-01.hl7');
  await importFile(client, account, client.address, file);
  const before = await exported(client);
  await assert.rejects(
    importFile(
      faulty as AegleClient,
      account,
      client.address,
      join(fixtures, 'vcf', 'vcf_file.vcf'),
      {
        concurrency: 2,
      },
    ),
    (error: unknown) => {
      assert.ok(error instanceof ImportIncompleteError);
      assert.match(error.message, /vcf_file\.vcf/);
      assert.match(error.message, /connection reset/);
      assert.equal(error.stored, 5, 'the file and two batches were stored before the failure');
      return true;
    },
  );
  // The uploaded records exist on the node but no manifest commits them.
  const listed = await client.listRecords();
  const { records } = await listVisibleRecords(client, client.address);
  assert.ok(listed.length > records.length + 1);
  assert.deepEqual([...(await exported(client)).keys()].sort(), [...before.keys()].sort());
  // Run again, it commits.
  const again = await importFile(
    client,
    account,
    client.address,
    join(fixtures, 'vcf', 'vcf_file.vcf'),
  );
  assert.equal((await exported(client)).size, before.size + again.records.length);
});

test('a FHIR transaction through the data source is all or nothing', {
  timeout: 120_000,
}, async () => {
  let batches = 0;
  const { client, faulty } = await patientClient((http) => ({
    info: async () => ({ ...(await http.info()), batch: { maxRecords: 2, maxBytes: 1 << 20 } }),
    writeBatch: async (records) => {
      if (++batches === 2) throw new Error('disk full');
      return http.writeBatch(records);
    },
  }));
  const resources: Resource[] = ['a', 'b', 'c'].map((id) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { text: 'weight' },
    subject: { reference: `Patient/${client.address}` },
  }));
  await assert.rejects(
    createSdkFhirSource(faulty as AegleClient, client.address).create(resources),
    ImportIncompleteError,
  );
  assert.equal((await exported(client)).size, 0);
  const created = await createSdkFhirSource(client, client.address).create(resources);
  assert.deepEqual(
    created.map((s) => s.resource.id),
    ['a', 'b', 'c'],
  );
  assert.deepEqual([...(await exported(client)).keys()].sort(), [
    'Observation/a',
    'Observation/b',
    'Observation/c',
  ]);
});
