import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_ISSUES } from './validate-instance.ts';
import { validateResource } from './validate-resource.ts';

type Json = Record<string, unknown>;

/** The issues as `code expression` pairs: what and where, without the wording. */
function problems(resource: unknown): string[] {
  const { valid, outcome } = validateResource(resource);
  const found = valid ? [] : outcome.issue.map((issue) => `${issue.code} ${issue.expression?.[0]}`);
  assert.equal(valid, found.length === 0);
  return found.sort();
}

const observation = (extra: Json): Json => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'heart rate' },
  ...extra,
});
const patient = (extra: Json): Json => ({ resourceType: 'Patient', ...extra });

describe('document shape', () => {
  test('a minimal valid resource passes with one informational issue', () => {
    const { valid, outcome } = validateResource(observation({}));
    assert.equal(valid, true);
    assert.deepEqual(
      outcome.issue.map((issue) => issue.severity),
      ['information'],
    );
  });
  test('JSON text is parsed; malformed text is a fatal structure issue', () => {
    assert.equal(validateResource(JSON.stringify(observation({}))).valid, true);
    const { valid, outcome } = validateResource('{"resourceType": ');
    assert.equal(valid, false);
    assert.equal(outcome.issue[0]?.severity, 'fatal');
    assert.equal(outcome.issue[0]?.code, 'structure');
  });
  test('not an object, no resourceType, abstract or non-R4 types are rejected', () => {
    assert.deepEqual(problems([]), ['structure Resource']);
    assert.deepEqual(problems({ id: 'x' }), ['required resourceType']);
    assert.deepEqual(problems({ resourceType: 'DomainResource' }), ['invalid resourceType']);
    assert.deepEqual(problems({ resourceType: 'Quantity' }), ['invalid resourceType']);
    // Medplum's definitions add SubscriptionStatus (R4B); R4 has no such resource.
    assert.deepEqual(problems({ resourceType: 'SubscriptionStatus' }), ['invalid resourceType']);
  });
});

describe('properties and cardinality', () => {
  test('unknown properties are named, at any depth', () => {
    assert.deepEqual(problems(observation({ colour: 'red', code: { text: 'x', size: 1 } })), [
      'structure Observation.code.size',
      'structure Observation.colour',
    ]);
  });
  test('a 1..1 element missing, and a 1..* element missing, are required issues', () => {
    assert.deepEqual(problems({ resourceType: 'Observation', code: { text: 'x' } }), [
      'required Observation.status',
    ]);
    assert.deepEqual(problems({ resourceType: 'Group', type: 'person', actual: true }), []);
    assert.deepEqual(
      problems({ resourceType: 'Bundle', type: 'collection', link: [{ relation: 'self' }] }),
      ['required Bundle.link[0].url'],
    );
  });
  test('arrays and single values are not interchangeable', () => {
    assert.deepEqual(problems(observation({ category: { text: 'vital' } })), [
      'structure Observation.category',
    ]);
    assert.deepEqual(problems(observation({ subject: [{ reference: 'Patient/1' }] })), [
      'structure Observation.subject',
    ]);
  });
  test('empty arrays and nulls are rejected', () => {
    assert.deepEqual(problems(observation({ category: [] })), ['structure Observation.category']);
    assert.deepEqual(problems(observation({ category: [null] })), [
      'structure Observation.category[0]',
    ]);
    assert.deepEqual(problems(observation({ issued: null })), ['structure Observation.issued']);
  });
  test('a property set to undefined by a JavaScript caller counts as absent', () => {
    assert.deepEqual(problems(observation({ issued: undefined })), []);
    assert.deepEqual(problems(observation({ status: undefined })), ['required Observation.status']);
  });
  test('a complex element must be an object', () => {
    assert.deepEqual(problems(observation({ subject: 'Patient/1' })), [
      'structure Observation.subject',
    ]);
  });
  test('contentReference elements recurse (Questionnaire.item.item)', () => {
    const questionnaire = {
      resourceType: 'Questionnaire',
      status: 'draft',
      item: [{ linkId: '1', type: 'group', item: [{ type: 'string', text: 'name?' }] }],
    };
    assert.deepEqual(problems(questionnaire), ['required Questionnaire.item[0].item[0].linkId']);
  });
});

describe('choice types', () => {
  test('each allowed type has its own property name', () => {
    assert.deepEqual(problems(observation({ valueString: 'ok' })), []);
    assert.deepEqual(problems(observation({ valueQuantity: { value: 1 } })), []);
    assert.deepEqual(problems(observation({ valueCoding: { code: 'x' } })), [
      'structure Observation.valueCoding',
    ]);
  });
  test('two forms of one choice are rejected', () => {
    assert.deepEqual(problems(observation({ valueString: 'a', valueBoolean: true })), [
      'structure Observation.value[x]',
    ]);
  });
  test('a required choice counts a primitive present only through its _companion', () => {
    const request = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/1' },
    };
    assert.deepEqual(problems(request), ['required MedicationRequest.medication[x]']);
    assert.deepEqual(
      problems({ ...request, medicationReference: { reference: 'Medication/1' } }),
      [],
    );
  });
});

describe('primitive types (JSON representation and the spec regexes)', () => {
  const accepts = (extra: Json) =>
    assert.deepEqual(problems(patient(extra)), [], JSON.stringify(extra));
  const rejects = (extra: Json, issue: string) =>
    assert.deepEqual(problems(patient(extra)), [issue], JSON.stringify(extra));

  test('boolean must be a JSON boolean', () => {
    accepts({ active: false });
    rejects({ active: 'true' }, 'structure Patient.active');
  });
  test('date: year, year-month or full date', () => {
    for (const birthDate of ['1970', '1970-03', '1970-03-31']) accepts({ birthDate });
    for (const birthDate of ['1970-3-1', '70-03-01', '1970-13-01', '1970-03-31T10:00:00Z', '']) {
      rejects({ birthDate }, 'value Patient.birthDate');
    }
  });
  test('dateTime needs a timezone when it has a time', () => {
    for (const deceasedDateTime of [
      '2020',
      '2020-01-02',
      '2020-01-02T03:04:05Z',
      '2020-01-02T03:04:05.123+10:00',
    ]) {
      accepts({ deceasedDateTime });
    }
    rejects({ deceasedDateTime: '2020-01-02T03:04:05' }, 'value Patient.deceasedDateTime');
    rejects({ deceasedDateTime: '2020-01-02T03:04Z' }, 'value Patient.deceasedDateTime');
  });
  test('instant is a full timestamp', () => {
    accepts({ meta: { lastUpdated: '2020-01-02T03:04:05.6Z' } });
    rejects({ meta: { lastUpdated: '2020-01-02' } }, 'value Patient.meta.lastUpdated');
  });
  test('id: 1 to 64 of [A-Za-z0-9-.]', () => {
    accepts({ id: 'a-B.9' });
    rejects({ id: 'a'.repeat(65) }, 'value Patient.id');
    rejects({ id: 'has space' }, 'value Patient.id');
  });
  test('string: non-empty; Unicode spaces are ordinary characters', () => {
    accepts({ name: [{ text: 'Jo\u00a0Smith' }] });
    accepts({ name: [{ text: ' padded ' }] });
    rejects({ name: [{ text: '' }] }, 'value Patient.name[0].text');
    rejects({ name: [{ text: 12 }] }, 'structure Patient.name[0].text');
  });
  test('code: no leading, trailing or double whitespace', () => {
    accepts({ communication: [{ language: { coding: [{ code: 'en-AU' }] } }] });
    rejects(
      { communication: [{ language: { coding: [{ code: 'en  AU' }] } }] },
      'value Patient.communication[0].language.coding[0].code',
    );
  });
  test('uri has no whitespace', () => {
    rejects({ identifier: [{ system: 'http://x y' }] }, 'value Patient.identifier[0].system');
  });
  test('integer family: whole 32-bit numbers as JSON numbers', () => {
    accepts({ multipleBirthInteger: 2 });
    rejects({ multipleBirthInteger: 2.5 }, 'value Patient.multipleBirthInteger');
    rejects({ multipleBirthInteger: 2 ** 31 }, 'value Patient.multipleBirthInteger');
    rejects({ multipleBirthInteger: '2' }, 'structure Patient.multipleBirthInteger');
    const attachment = (size: unknown) => ({ photo: [{ size }] });
    accepts(attachment(0));
    rejects(attachment(-1), 'value Patient.photo[0].size');
  });
  test('positiveInt excludes 0', () => {
    const timing = (count: number) => ({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      medicationReference: { reference: 'Medication/1' },
      subject: { reference: 'Patient/1' },
      dosageInstruction: [{ timing: { repeat: { count } } }],
    });
    assert.deepEqual(problems(timing(1)), []);
    assert.deepEqual(problems(timing(0)), [
      'value MedicationRequest.dosageInstruction[0].timing.repeat.count',
    ]);
  });
  test('decimal must be a JSON number', () => {
    assert.deepEqual(problems(observation({ valueQuantity: { value: 1e-7 } })), []);
    assert.deepEqual(problems(observation({ valueQuantity: { value: '36.5' } })), [
      'structure Observation.valueQuantity.value',
    ]);
  });
  test('base64Binary', () => {
    accepts({ photo: [{ data: 'Zm9vYmFy' }] });
    rejects({ photo: [{ data: 'Zm9v!' }] }, 'value Patient.photo[0].data');
  });
});

describe('_name companions of primitives (id and extensions)', () => {
  const extension = { extension: [{ url: 'http://example.org/x', valueString: 'y' }] };
  test('a companion may stand with or without its value', () => {
    assert.deepEqual(problems(patient({ birthDate: '1970', _birthDate: extension })), []);
    assert.deepEqual(problems(patient({ _birthDate: extension })), []);
  });
  test('its content is an Element: unknown properties and extension rules apply', () => {
    assert.deepEqual(problems(patient({ _birthDate: { value: '1970' } })), [
      'structure Patient._birthDate.value',
    ]);
    assert.deepEqual(problems(patient({ _birthDate: { extension: [{ valueString: 'y' }] } })), [
      'required Patient._birthDate.extension[0].url',
    ]);
    assert.deepEqual(problems(patient({ _birthDate: '1970' })), ['structure Patient._birthDate']);
  });
  test('repeating primitives align with their companion array through nulls', () => {
    const name = (extra: Json) => patient({ name: [{ family: 'X', ...extra }] });
    assert.deepEqual(problems(name({ given: ['A', null], _given: [null, extension] })), []);
    assert.deepEqual(problems(name({ given: ['A', null], _given: [null, null] })), [
      'structure Patient.name[0].given[1]',
    ]);
    assert.deepEqual(problems(name({ given: ['A', 'B'], _given: [extension] })), [
      'structure Patient.name[0]._given',
    ]);
  });
  test('complex elements and attribute-like primitives have no companion', () => {
    assert.deepEqual(problems(patient({ _name: extension })), ['structure Patient._name']);
    assert.deepEqual(
      problems(
        patient({
          extension: [{ url: 'http://example.org/x', _url: extension, valueString: 'y' }],
        }),
      ),
      ['structure Patient.extension[0]._url'],
    );
  });
});

describe('required bindings on codes', () => {
  test('a code outside the required value set is rejected', () => {
    assert.deepEqual(problems(observation({ status: 'done' })), [
      'code-invalid Observation.status',
    ]);
    assert.deepEqual(problems(patient({ gender: 'M' })), ['code-invalid Patient.gender']);
    assert.deepEqual(problems(patient({ gender: 'unknown' })), []);
  });
  test('codes are case-sensitive', () => {
    assert.deepEqual(problems(observation({ status: 'Final' })), [
      'code-invalid Observation.status',
    ]);
  });
  test('bindings of nested datatypes apply (Quantity.comparator, ContactPoint.system)', () => {
    assert.deepEqual(problems(observation({ valueQuantity: { value: 1, comparator: '=<' } })), [
      'code-invalid Observation.valueQuantity.comparator',
    ]);
    assert.deepEqual(problems(patient({ telecom: [{ system: 'pager' }, { system: 'telex' }] })), [
      'code-invalid Patient.telecom[1].system',
    ]);
  });
  test('a value set that needs a terminology server (MIME types) is not enforced', () => {
    assert.deepEqual(problems(patient({ photo: [{ contentType: 'image/x-anything' }] })), []);
  });
  test('codes of Coding/CodeableConcept are not bound here (only code-typed elements)', () => {
    assert.deepEqual(
      problems(observation({ category: [{ coding: [{ system: 'urn:x', code: 'zzz' }] }] })),
      [],
    );
  });
});

describe('resources inside resources', () => {
  test('contained resources are validated with their own type, at their location', () => {
    const withContained = observation({
      contained: [{ resourceType: 'Patient', gender: 'x' }, { resourceType: 'Nope' }, 'Patient'],
    });
    assert.deepEqual(problems(withContained), [
      'code-invalid Observation.contained[0].gender',
      'invalid Observation.contained[1].resourceType',
      'structure Observation.contained[2]',
    ]);
  });
  test('Bundle entries are validated, the location naming the entry', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: observation({}) },
        { resource: patient({}) },
        { resource: patient({}) },
        { resource: observation({ status: 'bogus', valueQuantity: { value: '1' } }) },
      ],
    };
    assert.deepEqual(problems(bundle), [
      'code-invalid Bundle.entry[3].resource.status',
      'structure Bundle.entry[3].resource.valueQuantity.value',
    ]);
  });
  test('nested Bundles are walked too', () => {
    const inner = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: patient({ active: 1 }) }],
    };
    const outer = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: inner }] };
    assert.deepEqual(problems(outer), [
      'structure Bundle.entry[0].resource.entry[0].resource.active',
    ]);
  });
});

describe('Medplum edits are undone: R4 as HL7 published it', () => {
  test("Medplum's own Meta fields are unknown", () => {
    assert.deepEqual(problems(patient({ meta: { project: 'p' } })), [
      'structure Patient.meta.project',
    ]);
  });
  test('DetectedIssue.status takes observation-status codes, as in R4', () => {
    const issue = (status: string) => ({ resourceType: 'DetectedIssue', status });
    assert.deepEqual(problems(issue('final')), []);
    assert.deepEqual(problems(issue('mitigated')), ['code-invalid DetectedIssue.status']);
  });
  test('EvidenceVariable.characteristic is 1..* with its R4 elements', () => {
    const variable = (extra: Json) => ({
      resourceType: 'EvidenceVariable',
      status: 'draft',
      ...extra,
    });
    assert.deepEqual(problems(variable({})), ['required EvidenceVariable.characteristic']);
    const characteristic = {
      definitionCodeableConcept: { text: 'adults' },
      timeFromStart: { value: 1 },
    };
    assert.deepEqual(problems(variable({ characteristic: [characteristic] })), []);
    assert.deepEqual(problems(variable({ characteristic: [{ ...characteristic, linkId: '1' }] })), [
      'structure EvidenceVariable.characteristic[0].linkId',
    ]);
  });
  test('Bundle.entry.response.outcome holds any resource, as in R4', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: [{ response: { status: '201', outcome: patient({}) } }],
    };
    assert.deepEqual(problems(bundle), []);
  });
});

test(`issues stop at ${MAX_ISSUES}, with a closing note`, () => {
  const many: Json = {};
  for (let index = 0; index < MAX_ISSUES + 20; index++) many[`extra${index}`] = 1;
  const { valid, outcome } = validateResource(patient(many));
  assert.equal(valid, false);
  assert.equal(outcome.issue.length, MAX_ISSUES + 1);
  assert.equal(outcome.issue.at(-1)?.code, 'too-costly');
  assert.match(outcome.issue.at(-1)?.diagnostics ?? '', /^20 further issues/);
});
