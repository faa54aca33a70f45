// The FHIR server driven by an outside client (fhir-kit-client, unmodified) over a whole Synthea
// patient. Every expectation is computed here from the raw fixture JSON with a hand-written table
// of which element each search reads, independently of the server's matcher and of the R4
// SearchParameter expressions it compiles.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from 'fhir-kit-client';
import {
  createFhirServer,
  type FhirServer,
  MemoryFhirDataSource,
  splitBundle,
  validateResource,
} from '../../src/index.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../../../shared/fixtures');
const LIZ = path.join(FIXTURES, 'synthea/Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json');
const CLEMENTE = path.join(
  FIXTURES,
  'synthea/Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json',
);
const NOW = new Date('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 86_400_000;
// Each fixture resource i is stored with lastUpdated = LOADED + i hours.
const LOADED = Date.parse('2025-06-01T00:00:00Z');

// biome-ignore lint/suspicious/noExplicitAny: raw fixture JSON, walked freely by the expectations
type Json = Record<string, any>;
type RawEntry = { fullUrl: string; resource: Json };

const raw = JSON.parse(readFileSync(LIZ, 'utf8')) as { entry: RawEntry[] };
const patientEntry = raw.entry.find((entry) => entry.resource.resourceType === 'Patient');
assert.ok(patientEntry);
const PATIENT_ID: string = patientEntry.resource.id;
const PATIENT_URN = patientEntry.fullUrl;

/** The raw resources of a type, in fixture order. */
function rawOf(type: string): Json[] {
  return raw.entry
    .map((entry) => entry.resource)
    .filter((resource) => resource.resourceType === type);
}
const ids = (resources: Json[]) => resources.map((resource) => resource.id as string).sort();

// Hand-written: where each type keeps its patient and its `date`, in the raw fixture.
const PATIENT_ELEMENT: Record<string, (resource: Json) => unknown> = {
  Encounter: (r) => r.subject,
  Condition: (r) => r.subject,
  Observation: (r) => r.subject,
  Procedure: (r) => r.subject,
  MedicationRequest: (r) => r.subject,
  Immunization: (r) => r.patient,
  DiagnosticReport: (r) => r.subject,
  CarePlan: (r) => r.subject,
  Claim: (r) => r.patient,
  ExplanationOfBenefit: (r) => r.patient,
};
type DateElement = (resource: Json) => [string, string] | undefined;
const instant = (value: unknown): [string, string] | undefined =>
  typeof value === 'string' ? [value, value] : undefined;
const period = (value: Json | undefined): [string, string] | undefined =>
  value && [value.start ?? '0001-01-01T00:00:00Z', value.end ?? '9999-12-31T23:59:59Z'];
/**
 * Per type, each R4 date parameter and the [start, end] it reads, as written (seconds precision in
 * Synthea). R4 has no `date` on Condition (it has onset-date and recorded-date), and MedicationRequest's
 * `date` is dosageInstruction.timing.event (which Synthea does not write; authoredOn is `authoredon`).
 */
const DATE_PARAMETERS: Record<string, Record<string, DateElement>> = {
  Observation: { date: (r) => instant(r.effectiveDateTime) ?? period(r.effectivePeriod) },
  Encounter: { date: (r) => period(r.period) },
  Procedure: { date: (r) => period(r.performedPeriod) ?? instant(r.performedDateTime) },
  Immunization: { date: (r) => instant(r.occurrenceDateTime) },
  DiagnosticReport: { date: (r) => instant(r.effectiveDateTime) ?? period(r.effectivePeriod) },
  CarePlan: { date: (r) => period(r.period) },
  MedicationRequest: {
    date: (r) => instant(r.dosageInstruction?.[0]?.timing?.event?.[0]),
    authoredon: (r) => instant(r.authoredOn),
  },
  Condition: {
    'onset-date': (r) => instant(r.onsetDateTime) ?? period(r.onsetPeriod),
    'recorded-date': (r) => instant(r.recordedDate),
  },
};
// R4 defines `code` on these (of the fixture's types), and `date`/`patient` per the tables above.
const CODE_ELEMENT: Record<string, (resource: Json) => Json | undefined> = {
  Observation: (r) => r.code,
  Condition: (r) => r.code,
  Procedure: (r) => r.code,
  DiagnosticReport: (r) => r.code,
  MedicationRequest: (r) => r.medicationCodeableConcept,
};

/** The R4 prefixes on half-open ms ranges, written out from the spec for the test. */
function expectDate(
  prefix: string,
  param: [number, number],
  type: string,
  code = 'date',
): string[] {
  const now = NOW.getTime();
  return ids(
    rawOf(type).filter((resource) => {
      const dates = DATE_PARAMETERS[type]?.[code]?.(resource);
      if (!dates) return false;
      for (const text of dates) assert.match(text, /T\d\d:\d\d:\d\d[+-Z]/, 'seconds precision');
      const low = Date.parse(dates[0]);
      const high = Date.parse(dates[1]) + 1000;
      const [pLow, pHigh] = param;
      const within = low >= pLow && high <= pHigh;
      switch (prefix) {
        case 'eq':
          return within;
        case 'ne':
          return !within;
        case 'gt':
          return high > pHigh;
        case 'lt':
          return low < pLow;
        case 'ge':
          return within || high > pHigh;
        case 'le':
          return within || low < pLow;
        case 'sa':
          return low >= pHigh;
        case 'eb':
          return high <= pLow;
        case 'ap': {
          const gap = (now - pLow) / 10;
          return low < pHigh + gap && high > pLow - gap;
        }
      }
      throw new Error(prefix);
    }),
  );
}

let server: FhirServer;
let source: MemoryFhirDataSource;
let client: Client;

async function searchAll(resourceType: string, searchParams: Json, options?: Json) {
  let bundle = (await client.search({ resourceType, searchParams, options })) as Json;
  const found: string[] = [];
  const total = bundle.total;
  for (;;) {
    for (const entry of bundle.entry ?? []) found.push(entry.resource.id);
    const next = client.nextPage({ bundle: bundle as never, options });
    if (next === undefined) break;
    bundle = (await next) as Json;
  }
  return { ids: found.sort(), total };
}

/** The HTTP status and OperationOutcome of a request fhir-kit-client rejects. */
async function refused(promise: Promise<unknown>): Promise<{ status: number; data: Json }> {
  try {
    await promise;
  } catch (error) {
    const response = (error as { response?: { status: number; data: Json } }).response;
    assert.ok(response, `expected an HTTP error, got ${error}`);
    return response;
  }
  assert.fail('the request was accepted');
}

before(async () => {
  source = new MemoryFhirDataSource({ now: () => NOW });
  splitBundle(raw).resources.forEach((resource, index) => {
    source.add(resource, { lastUpdated: new Date(LOADED + index * HOUR) });
  });
  server = await createFhirServer({ source, now: () => NOW });
  client = new Client({ baseUrl: server.url });
});

after(async () => {
  await server.close();
});

test('listens on loopback by default', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

describe('read and vread', () => {
  test('read returns the resource with meta, ETag and Last-Modified', async () => {
    const patient = (await client.read({ resourceType: 'Patient', id: PATIENT_ID })) as Json;
    assert.equal(patient.id, PATIENT_ID);
    assert.deepEqual(patient.name, patientEntry.resource.name);
    assert.equal(patient.meta.versionId, '1');
    const { response } = Client.httpFor(patient as never);
    assert.equal(response?.headers.get('etag'), 'W/"1"');
    assert.equal(
      response?.headers.get('last-modified'),
      new Date(patient.meta.lastUpdated).toUTCString(),
    );
    assert.match(response?.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  });

  test('vread returns each version; read the latest', async () => {
    const organization = rawOf('Organization')[0] as Json;
    source.add({ ...organization, name: 'Renamed' } as never, { lastUpdated: NOW });
    const latest = (await client.read({
      resourceType: 'Organization',
      id: organization.id,
    })) as Json;
    assert.equal(latest.name, 'Renamed');
    assert.equal(latest.meta.versionId, '2');
    const first = (await client.vread({
      resourceType: 'Organization',
      id: organization.id,
      version: '1',
    })) as Json;
    assert.equal(first.name, organization.name);
    assert.equal(first.meta.versionId, '1');
    const missing = await refused(
      client.vread({ resourceType: 'Organization', id: organization.id, version: '9' }),
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.data.resourceType, 'OperationOutcome');
  });

  test('an unknown id is 404 with an OperationOutcome; an unknown type is 404', async () => {
    const missing = await refused(client.read({ resourceType: 'Patient', id: 'no-such-id' }));
    assert.equal(missing.status, 404);
    assert.equal(missing.data.resourceType, 'OperationOutcome');
    const unknownType = await refused(client.request('NotAType/1'));
    assert.equal(unknownType.status, 404);
    assert.equal(unknownType.data.resourceType, 'OperationOutcome');
  });
});

describe('search', () => {
  test('patient: as Patient/id, as id, through POST _search, on every type that has it', async () => {
    for (const [type, element] of Object.entries(PATIENT_ELEMENT)) {
      const expected = ids(
        rawOf(type).filter((r) => (element(r) as Json)?.reference === PATIENT_URN),
      );
      assert.ok(expected.length > 0, type);
      assert.deepEqual(
        (await searchAll(type, { patient: `Patient/${PATIENT_ID}` })).ids,
        expected,
        type,
      );
      assert.deepEqual((await searchAll(type, { patient: PATIENT_ID })).ids, expected, type);
    }
    const posted = await searchAll('Observation', { patient: PATIENT_ID }, { postSearch: true });
    assert.deepEqual(posted.ids, ids(rawOf('Observation')));
    assert.deepEqual((await searchAll('Observation', { patient: 'someone-else' })).ids, []);
  });

  test('_id, on Patient and on other types, with comma as OR', async () => {
    assert.deepEqual((await searchAll('Patient', { _id: PATIENT_ID })).ids, [PATIENT_ID]);
    const [a, b] = ids(rawOf('Observation'));
    assert.ok(a && b);
    assert.deepEqual((await searchAll('Observation', { _id: `${a},${b}` })).ids, [a, b]);
    assert.deepEqual((await searchAll('Encounter', { _id: a })).ids, []);
  });

  test('code: system|code, code, |code, system|, and comma as OR', async () => {
    const codings = (r: Json) => (CODE_ELEMENT[r.resourceType]?.(r)?.coding ?? []) as Json[];
    const observations = rawOf('Observation');
    const has = (predicate: (coding: Json) => boolean) =>
      ids(observations.filter((r) => codings(r).some(predicate)));
    const height = '8302-2';
    const weight = '29463-7';
    const loinc = 'http://loinc.org';
    const cases: [string, string[]][] = [
      [`${loinc}|${height}`, has((c) => c.system === loinc && c.code === height)],
      [height, has((c) => c.code === height)],
      [`|${height}`, has((c) => c.system === undefined && c.code === height)],
      [`${loinc}|`, has((c) => c.system === loinc)],
      [`${height},${weight}`, has((c) => c.code === height || c.code === weight)],
      [`http://snomed.info/sct|${height}`, []],
    ];
    for (const [value, expected] of cases) {
      assert.deepEqual((await searchAll('Observation', { code: value })).ids, expected, value);
    }
    assert.ok((cases[0]?.[1].length ?? 0) > 1);
    for (const type of Object.keys(CODE_ELEMENT)) {
      const first = rawOf(type)[0] as Json;
      const coding = CODE_ELEMENT[type]?.(first)?.coding?.[0] as Json;
      const expected = ids(
        rawOf(type).filter((r) =>
          codings(r).some((c) => c.system === coding.system && c.code === coding.code),
        ),
      );
      const found = await searchAll(type, { code: `${coding.system}|${coding.code}` });
      assert.deepEqual(found.ids, expected, type);
    }
  });

  test('date: every prefix, at day and year precision, on each type that has it', async () => {
    const observationDay = Date.parse(
      (rawOf('Observation')[10] as Json).effectiveDateTime.slice(0, 10),
    );
    const encounterDay = Date.parse((rawOf('Encounter')[2] as Json).period.start.slice(0, 10));
    const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    let nonEmpty = 0;
    for (const prefix of ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap']) {
      for (const [type, parameters] of Object.entries(DATE_PARAMETERS)) {
        for (const code of Object.keys(parameters)) {
          const day = type === 'Encounter' ? encounterDay : observationDay;
          const expected = expectDate(prefix, [day, day + DAY], type, code);
          if (expected.length > 0) nonEmpty++;
          const found = await searchAll(type, { [code]: `${prefix}${dayOf(day)}` });
          assert.deepEqual(found.ids, expected, `${type} ${code}=${prefix}${dayOf(day)}`);
        }
      }
    }
    assert.ok(nonEmpty > 30, 'the cases are not all empty');
    // No prefix means eq; a year is the whole year.
    const year = new Date(observationDay).getUTCFullYear();
    const yearRange: [number, number] = [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1)];
    const inYear = expectDate('eq', yearRange, 'Observation');
    assert.ok(inYear.length > 0);
    assert.deepEqual((await searchAll('Observation', { date: String(year) })).ids, inYear);
    // Two occurrences are AND-ed: a closed interval.
    const between = await searchAll('Observation', { date: [`ge${year}`, `lt${year + 1}`] });
    assert.deepEqual(between.ids, inYear);
    // Sanity of the fixture for the prefixes above: both sides of the day are populated.
    assert.ok(expectDate('lt', [observationDay, observationDay + DAY], 'Observation').length > 0);
    assert.ok(expectDate('gt', [observationDay, observationDay + DAY], 'Observation').length > 0);
  });

  test('_lastUpdated with prefixes, against the stored lastUpdated', async () => {
    const loaded = splitBundle(raw).resources;
    const at = (index: number) =>
      new Date(LOADED + index * HOUR).toISOString().replace('.000Z', 'Z');
    const obsIndexes = loaded.flatMap((r, i) => (r.resourceType === 'Observation' ? [i] : []));
    const pivot = obsIndexes[Math.floor(obsIndexes.length / 2)] as number;
    const expectFor = (keep: (i: number) => boolean) =>
      obsIndexes
        .filter(keep)
        .map((i) => loaded[i]?.id as string)
        .sort();
    const cases: [string, string[]][] = [
      [`gt${at(pivot)}`, expectFor((i) => i > pivot)],
      [`ge${at(pivot)}`, expectFor((i) => i >= pivot)],
      [`lt${at(pivot)}`, expectFor((i) => i < pivot)],
      [`le${at(pivot)}`, expectFor((i) => i <= pivot)],
      [at(pivot), expectFor((i) => i === pivot)],
    ];
    for (const [value, expected] of cases) {
      const found = await searchAll('Observation', { _lastUpdated: value });
      assert.deepEqual(found.ids, expected, value);
    }
  });

  test('_count pages through next links with a total, and previous goes back', async () => {
    const expected = ids(rawOf('Observation'));
    const first = (await client.search({
      resourceType: 'Observation',
      searchParams: { patient: PATIENT_ID, _count: 5 },
    })) as Json;
    assert.equal(first.type, 'searchset');
    assert.equal(first.total, expected.length);
    const pages: string[][] = [];
    let bundle: Json | undefined = first;
    let previousOfLast: Json | undefined;
    while (bundle !== undefined) {
      pages.push((bundle.entry ?? []).map((entry: Json) => entry.resource.id));
      const next = client.nextPage({ bundle: bundle as never });
      previousOfLast = bundle;
      bundle = next === undefined ? undefined : ((await next) as Json);
    }
    assert.equal(pages.length, Math.ceil(expected.length / 5));
    for (const page of pages.slice(0, -1)) assert.equal(page.length, 5);
    // Every match exactly once, in the server's stable order.
    assert.deepEqual(pages.flat(), expected);
    assert.ok(previousOfLast);
    const back = (await client.prevPage({ bundle: previousOfLast as never })) as Json;
    assert.deepEqual(
      back.entry.map((entry: Json) => entry.resource.id),
      pages.at(-2),
    );
    assert.equal(client.prevPage({ bundle: first as never }), undefined);
  });

  test('an unknown or unadvertised parameter is 400, or ignored with Prefer: handling=lenient', async () => {
    // Condition has no `date` in R4 (it has onset-date and recorded-date); Patient has no `code`.
    for (const [type, searchParams] of [
      ['Condition', { date: 'ge2000' }],
      ['Patient', { code: 'x' }],
      ['Observation', { 'code:text': 'height' }],
      ['Observation', { _sort: 'date' }],
    ] as const) {
      const rejected = await refused(client.search({ resourceType: type, searchParams }));
      assert.equal(rejected.status, 400, `${type} ${Object.keys(searchParams)}`);
      assert.equal(rejected.data.resourceType, 'OperationOutcome');
      const lenient = await searchAll(type, searchParams, {
        headers: { prefer: 'handling=lenient' },
      });
      assert.deepEqual(lenient.ids, ids(rawOf(type)));
    }
  });

  test('malformed values are 400 OperationOutcomes naming the parameter', async () => {
    for (const [name, value] of [
      ['date', '2015-13-01'],
      ['date', 'yesterday'],
      ['date', 'xx2015'],
      ['_lastUpdated', '2015-02-30'],
      ['_count', '-1'],
      ['_page', 'not-a-token'],
    ]) {
      const rejected = await refused(
        client.search({
          resourceType: 'Observation',
          searchParams: { [name as string]: value as string },
        }),
      );
      assert.equal(rejected.status, 400, `${name}=${value}`);
      assert.deepEqual(rejected.data.issue[0].expression, [name]);
    }
  });
});

test('Patient/$everything: the patient and every resource referencing them', async () => {
  const expected = ids([
    patientEntry.resource,
    ...raw.entry
      .filter((entry) => entry.resource.resourceType !== 'Patient')
      .filter((entry) => JSON.stringify(entry.resource).includes(`"${PATIENT_URN}"`))
      .map((entry) => entry.resource),
  ]);
  let bundle = (await client.operation({
    name: '$everything',
    resourceType: 'Patient',
    id: PATIENT_ID,
    method: 'GET',
  })) as Json;
  assert.equal(bundle.type, 'searchset');
  assert.equal(bundle.total, expected.length);
  assert.equal(bundle.entry[0].resource.resourceType, 'Patient');
  const found: string[] = [];
  for (;;) {
    for (const entry of bundle.entry ?? []) found.push(entry.resource.id);
    const next = client.nextPage({ bundle: bundle as never });
    if (next === undefined) break;
    bundle = (await next) as Json;
  }
  assert.deepEqual(found.sort(), expected);
  assert.ok(expected.length < raw.entry.length, 'the Organization and Practitioner are not in it');
  const missing = await refused(
    client.operation({ name: '$everything', resourceType: 'Patient', id: 'nobody', method: 'GET' }),
  );
  assert.equal(missing.status, 404);
});

describe('create', () => {
  test('a valid resource is stored with a new id, 201 and Location, and reads back', async () => {
    const body = JSON.parse(
      readFileSync(path.join(FIXTURES, 'fhir/valid/Observation-f001.json'), 'utf8'),
    ) as Json;
    const created = (await client.create({
      resourceType: 'Observation',
      body: body as never,
    })) as Json;
    assert.notEqual(created.id, body.id);
    const { response } = Client.httpFor(created as never);
    assert.equal(response?.status, 201);
    assert.equal(
      response?.headers.get('location'),
      `${server.url}/Observation/${created.id}/_history/${created.meta.versionId}`,
    );
    const read = (await client.read({ resourceType: 'Observation', id: created.id })) as Json;
    const { id: _a, meta: _b, ...sent } = body;
    const { id: _c, meta: _d, ...back } = read;
    assert.deepEqual(back, sent);
    const found = await searchAll('Observation', { _id: created.id });
    assert.deepEqual(found.ids, [created.id]);
  });

  test('an invalid resource is 400 with an OperationOutcome naming the location; nothing stored', async () => {
    const before = source.size;
    const body = JSON.parse(
      readFileSync(
        path.join(FIXTURES, 'fhir/invalid/observation-missing-required-status.json'),
        'utf8',
      ),
    );
    const rejected = await refused(client.create({ resourceType: 'Observation', body }));
    assert.equal(rejected.status, 400);
    assert.equal(rejected.data.resourceType, 'OperationOutcome');
    assert.ok(
      rejected.data.issue.some((issue: Json) => issue.expression?.includes('Observation.status')),
      JSON.stringify(rejected.data),
    );
    const wrongType = await refused(client.create({ resourceType: 'Patient', body }));
    assert.equal(wrongType.status, 400);
    assert.equal(source.size, before);
  });
});

describe('transaction', () => {
  const clemente = JSON.parse(readFileSync(CLEMENTE, 'utf8')) as { entry: RawEntry[] };

  test('an invalid entry rejects the whole Bundle, naming it; nothing stored', async () => {
    const before = source.size;
    const broken = structuredClone(clemente);
    const index = broken.entry.findIndex((entry) => entry.resource.resourceType === 'Observation');
    delete broken.entry[index]?.resource.status;
    const rejected = await refused(client.transaction({ body: broken as never }));
    assert.equal(rejected.status, 400);
    assert.ok(
      rejected.data.issue.some((issue: Json) =>
        issue.expression?.includes(`Bundle.entry[${index}].resource.status`),
      ),
    );
    const dangling = structuredClone(clemente);
    (dangling.entry[index] as RawEntry).resource.subject = {
      reference: 'urn:uuid:00000000-0000-4000-8000-000000000000',
    };
    assert.equal((await refused(client.transaction({ body: dangling as never }))).status, 400);
    assert.equal(source.size, before);
  });

  test('a whole patient is created, urn:uuid references rewritten to the new ids', async () => {
    const before = source.size;
    const response = (await client.transaction({ body: clemente as never })) as Json;
    assert.equal(response.type, 'transaction-response');
    assert.equal(response.entry.length, clemente.entry.length);
    assert.equal(source.size, before + clemente.entry.length);
    const newId = new Map<string, string>();
    response.entry.forEach((entry: Json, index: number) => {
      assert.equal(entry.response.status, '201 Created');
      const input = clemente.entry[index] as RawEntry;
      assert.equal(entry.resource.resourceType, input.resource.resourceType);
      newId.set(input.fullUrl, `${entry.resource.resourceType}/${entry.resource.id}`);
    });
    const patientUrn = clemente.entry.find((e) => e.resource.resourceType === 'Patient')
      ?.fullUrl as string;
    const patientId = (newId.get(patientUrn) as string).split('/')[1] as string;
    const observations = clemente.entry.filter((e) => e.resource.resourceType === 'Observation');
    const found = await searchAll('Observation', { patient: patientId });
    assert.deepEqual(
      found.ids,
      observations.map((e) => (newId.get(e.fullUrl) as string).split('/')[1]).sort(),
    );
    // Each stored reference is the rewritten one, and resolves by read.
    const sample = (await client.read({
      resourceType: 'Observation',
      id: (newId.get((observations[0] as RawEntry).fullUrl) as string).split('/')[1] as string,
    })) as Json;
    assert.equal(sample.subject.reference, `Patient/${patientId}`);
    assert.equal(
      sample.encounter.reference,
      newId.get(observations[0]?.resource.encounter.reference),
    );
    const [type, id] = (sample.encounter.reference as string).split('/') as [string, string];
    assert.equal(
      ((await client.read({ resourceType: type, id })) as Json).resourceType,
      'Encounter',
    );
  });
});

describe('metadata', () => {
  test('a valid R4 CapabilityStatement listing exactly what is served', async () => {
    const statement = (await client.capabilityStatement()) as Json;
    assert.equal(validateResource(statement).valid, true);
    assert.equal(statement.fhirVersion, '4.0.1');
    assert.deepEqual(statement.format, ['json']);
    const rest = statement.rest[0];
    assert.deepEqual(rest.interaction, [{ code: 'transaction' }]);
    const byType = new Map<string, Json>(rest.resource.map((r: Json) => [r.type, r]));
    assert.ok(byType.size > 140);
    for (const resource of byType.values()) {
      assert.deepEqual(
        resource.interaction.map((i: Json) => i.code),
        ['read', 'vread', 'search-type', 'create'],
      );
    }
    assert.deepEqual(byType.get('Patient')?.operation, [
      {
        name: 'everything',
        definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
      },
    ]);
    // For the fixture's types: the advertised parameters are those of the tables above.
    for (const type of new Set(raw.entry.map((entry) => entry.resource.resourceType))) {
      const advertised = (byType.get(type)?.searchParam ?? []).map((p: Json) => p.name).sort();
      const expected = ['_id', '_lastUpdated'];
      if (PATIENT_ELEMENT[type]) expected.push('patient');
      if (CODE_ELEMENT[type]) expected.push('code');
      expected.push(...Object.keys(DATE_PARAMETERS[type] ?? {}));
      assert.deepEqual(advertised, expected.sort(), type);
    }
  });

  test('each parameter advertised for the fixture types finds exactly its resources', async () => {
    const statement = (await client.capabilityStatement()) as Json;
    let checked = 0;
    for (const resource of statement.rest[0].resource as Json[]) {
      const type: string = resource.type;
      const all = rawOf(type);
      if (all.length === 0) continue;
      const sample = all[0] as Json;
      const fixtureIds = new Set(ids(all));
      for (const { name } of resource.searchParam as Json[]) {
        let value: string;
        let expected: string[];
        const dateElement = DATE_PARAMETERS[type]?.[name];
        if (name === '_id') {
          [value, expected] = [sample.id, [sample.id]];
        } else if (name === '_lastUpdated') {
          [value, expected] = ['ge2000', ids(all)];
        } else if (name === 'patient') {
          value = PATIENT_ID;
          expected = ids(
            all.filter((r) => (PATIENT_ELEMENT[type]?.(r) as Json)?.reference === PATIENT_URN),
          );
        } else if (name === 'code') {
          const coding = CODE_ELEMENT[type]?.(sample)?.coding?.[0] as Json;
          value = `${coding.system}|${coding.code}`;
          expected = ids(
            all.filter((r) =>
              (CODE_ELEMENT[type]?.(r)?.coding ?? []).some(
                (c: Json) => c.system === coding.system && c.code === coding.code,
              ),
            ),
          );
        } else if (dateElement !== undefined) {
          [value, expected] = ['ge1900', ids(all.filter((r) => dateElement(r)))];
        } else {
          assert.fail(`${type} advertises ${name}, which this test does not know`);
        }
        // Resources created by other tests (transaction, create) are left out of the comparison.
        const found = await searchAll(type, { [name]: value });
        assert.deepEqual(
          found.ids.filter((id) => fixtureIds.has(id)),
          expected,
          `${type} ${name}`,
        );
        if (!(type === 'MedicationRequest' && name === 'date')) assert.ok(expected.length > 0);
        checked++;
      }
    }
    assert.ok(checked > 30);
  });
});

/** A raw HTTP exchange, for what fhir-kit-client cannot send (a Host header, a bad body). */
function exchange(
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: Json }> {
  const url = new URL(urlPath, server.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, json: text === '' ? {} : JSON.parse(text) }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('protocol edges', () => {
  const patientPath = () => `/Patient/${PATIENT_ID}`;

  test('another Host name (DNS rebinding) is refused; localhost is accepted', async () => {
    const port = new URL(server.url).port;
    const refusedHost = await exchange('GET', patientPath(), { host: `evil.example:${port}` });
    assert.equal(refusedHost.status, 421);
    assert.equal(refusedHost.json.resourceType, 'OperationOutcome');
    const local = await exchange('GET', patientPath(), { host: `localhost:${port}` });
    assert.equal(local.status, 200);
    assert.equal(local.json.id, PATIENT_ID);
  });

  test('JSON only: XML is not acceptable; application/json is both accepted and sent', async () => {
    const xml = await exchange('GET', patientPath(), { accept: 'application/fhir+xml' });
    assert.equal(xml.status, 406);
    const json = await exchange('GET', patientPath(), { accept: 'application/json' });
    assert.equal(json.status, 200);
    const before = source.size;
    const body = JSON.stringify({ resourceType: 'Patient', active: true });
    const created = await exchange(
      'POST',
      '/Patient',
      { 'content-type': 'application/json' },
      body,
    );
    assert.equal(created.status, 201);
    assert.equal(source.size, before + 1);
  });

  test('a malformed body, another media type, or an unserved method is refused', async () => {
    const before = source.size;
    const malformed = await exchange(
      'POST',
      '/Patient',
      { 'content-type': 'application/fhir+json' },
      '{"resourceType": "Patient",',
    );
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.issue[0].code, 'structure');
    const text = await exchange('POST', '/Patient', { 'content-type': 'text/plain' }, 'hello');
    assert.equal(text.status, 415);
    const update = await exchange(
      'PUT',
      patientPath(),
      { 'content-type': 'application/fhir+json' },
      '{}',
    );
    assert.equal(update.status, 405);
    const batch = await exchange(
      'POST',
      '/',
      { 'content-type': 'application/fhir+json' },
      JSON.stringify({ resourceType: 'Bundle', type: 'batch' }),
    );
    assert.equal(batch.status, 400);
    assert.equal(source.size, before);
    const everything = await exchange('GET', `${patientPath()}/$everything?start=2010`, {});
    assert.equal(everything.status, 400);
    const history = await exchange('GET', `${patientPath()}/_history`, {});
    assert.equal(history.status, 404);
  });
});
