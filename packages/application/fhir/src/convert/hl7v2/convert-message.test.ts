// HL7 v2 → FHIR on the shared fixtures (/work/shared/fixtures/hl7v2, SOURCES.md): every resource
// validates, and its values are those of the source fields named in each assertion.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Hl7ParseError } from '../errors.ts';
import type { ConversionResult, Resource } from '../fhir-types.ts';
import {
  assertReferencesResolve,
  assertValidFhir,
  at,
  FIXTURES,
  fixture,
  resourcesOf,
} from '../test-support.ts';
import { convertHl7v2 } from './convert-message.ts';

const NOW = new Date('2026-01-02T03:04:05Z');

function convert(file: string): ConversionResult {
  return convertHl7v2(fixture(`hl7v2/${file}`), { file, now: NOW });
}

function only(result: ConversionResult, type: string): Resource {
  const list = resourcesOf(result.bundle, type);
  assert.equal(list.length, 1, `exactly one ${type}`);
  return list[0] as Resource;
}

function urn(resource: Resource): string {
  return `urn:uuid:${resource.id}`;
}

const MESSAGES = readdirSync(`${FIXTURES}hl7v2`)
  .filter((name) => name.endsWith('.hl7'))
  .sort();

describe('every HL7 v2 fixture', () => {
  test('there are ten messages', () => assert.equal(MESSAGES.length, 10));
  for (const file of MESSAGES) {
    test(`${file}: valid FHIR R4, references resolve, one Provenance naming MSH-10`, () => {
      const result = convert(file);
      assertValidFhir(result.bundle);
      for (const entry of result.bundle.entry) assertValidFhir(entry.resource);
      assertReferencesResolve(result.bundle);
      const provenance = only(result, 'Provenance');
      const targets = (provenance.target as { reference: string }[]).map((t) => t.reference);
      const others = result.bundle.entry
        .map((entry) => entry.resource)
        .filter((resource) => resource.resourceType !== 'Provenance');
      assert.ok(others.length >= 1);
      assert.deepEqual(new Set(targets), new Set(others.map(urn)));
      // MSH-10, the message control id, read from the raw text independently of the parser.
      const msh = fixture(`hl7v2/${file}`).toString('utf8').split(/\r|\n/)[0] ?? '';
      const controlId = msh.split('|')[9];
      assert.ok(controlId);
      assert.equal(at(provenance, 'entity', 0, 'role'), 'source');
      assert.equal(at(provenance, 'entity', 0, 'what', 'identifier', 'value'), controlId);
      assert.match(String(at(provenance, 'entity', 0, 'what', 'display')), /^HL7 v2\.\d/);
      assert.equal(provenance.recorded, NOW.toISOString());
      // The same message gives the same ids (re-imports are idempotent).
      assert.deepEqual(
        convert(file).bundle.entry.map((entry) => entry.fullUrl),
        result.bundle.entry.map((entry) => entry.fullUrl),
      );
    });
  }
});

describe('ADT^A01 (ADT-A01-02.hl7)', () => {
  const result = convert('ADT-A01-02.hl7');
  const patient = only(result, 'Patient');
  const encounter = only(result, 'Encounter');

  test('PID-5 names: repetitions, sub-components of the family name, name type', () => {
    // EVERYMAN&&&&Aniston^ADAM^A^III^Dr.^MD^D ~ Josh&&&&Bing^^stanley^^^^L
    assert.deepEqual(patient.name, [
      {
        use: 'usual',
        family: 'EVERYMAN',
        given: ['ADAM', 'A'],
        prefix: ['Dr.'],
        suffix: ['III', 'MD'],
      },
      { use: 'official', family: 'Josh', given: ['stanley'] },
    ]);
  });

  test('PID-7 birth date, PID-8 sex, PID-29 death time, PID-16 marital status, PID-24 multiple birth', () => {
    assert.equal(patient.birthDate, '1988-08-18'); // 198808181126+0215
    assert.equal(patient.gender, 'male'); // M
    assert.equal(patient.deceasedDateTime, '2008-08-25T11:16:30+01:15'); // 20080825111630+0115
    assert.equal(at(patient, 'maritalStatus', 'coding', 0, 'code'), 'M');
    assert.equal(patient.multipleBirthBoolean, false); // N
  });

  test('PID-3 identifier repetitions with type and assigning authority, PID-2, PID-4, PID-19', () => {
    const identifiers = patient.identifier as Record<string, unknown>[];
    assert.deepEqual(
      identifiers.map((i) => [i.value, at(i, 'type', 'coding', 0, 'code')]),
      [
        ['PATID1234', 'MR'],
        ['123456789', 'SS'],
        ['1234567', 'MR'],
        ['PATID567', undefined],
        ['PSSN123121234', 'SS'],
      ],
    );
    assert.equal(at(identifiers[0], 'assigner', 'display'), 'test1');
    assert.equal(at(identifiers[4], 'system'), 'http://hl7.org/fhir/sid/us-ssn');
  });

  test('PID-11 address: street sub-components joined, type M is postal', () => {
    assert.deepEqual(patient.address, [
      {
        type: 'postal',
        line: ['1000 Hospital Lane', 'Ste. 123'],
        city: 'Ann Arbor',
        state: 'MI',
        postalCode: '99999',
        country: 'USA',
      },
    ]);
  });

  test('PV1 → Encounter: class from PV1-2, admit time PV1-44, attending/referring/consulting/admitting doctors', () => {
    assert.deepEqual(encounter.class, {
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      code: 'PRENC',
      display: 'pre-admission',
    });
    assert.equal(encounter.status, 'in-progress'); // admitted (PV1-44), not discharged (no PV1-45)
    assert.deepEqual(encounter.period, { start: '2015-02-08T11:34:19+01:10' });
    assert.deepEqual(encounter.subject, { reference: urn(patient) });
    assert.deepEqual(
      (encounter.participant as unknown[]).map((p) => [
        at(p, 'type', 0, 'coding', 0, 'code'),
        at(p, 'individual', 'display'),
      ]),
      [
        ['ATND', 'Dr. Mohammed Alaz'],
        ['REF', 'Dr Kathleen Woolfson'],
        ['CON', 'Dr leen Condoc'],
        ['ADM', 'WALT DISNEY'],
      ],
    );
    assert.equal(at(encounter, 'identifier', 0, 'value'), '40007716'); // PV1-19
  });

  test('the Provenance names the sender (MSH-3/4), the message type and its time (MSH-7)', () => {
    const provenance = only(result, 'Provenance');
    assert.equal(at(provenance, 'agent', 0, 'who', 'display'), 'ADTApp');
    assert.equal(at(provenance, 'agent', 0, 'onBehalfOf', 'display'), 'GHHSFacility');
    assert.equal(
      at(provenance, 'entity', 0, 'what', 'display'),
      'HL7 v2.8 ADT^A01^ADT_A01 message MSG00001',
    );
    assert.equal(provenance.occurredDateTime, '1989-08-18T11:26:00+02:15');
  });

  test('segments not converted are reported', () => {
    assert.deepEqual(result.skipped, ['EVN ×1: segment not converted']);
  });
});

describe('ORU^R01 (NIST ELR sample, CR-separated)', () => {
  const result = convert('ORU_R01_2.5.1_SampleTestCase6.hl7');
  const patient = only(result, 'Patient');
  const report = only(result, 'DiagnosticReport');
  const observations = resourcesOf(result.bundle, 'Observation');

  test('PID: name, birth date, sex, MRN with its OID assigning authority, phone from components', () => {
    assert.deepEqual(patient.name, [{ family: 'Whiteagle', given: ['Adam'] }]);
    assert.equal(patient.birthDate, '1980-03-21');
    assert.equal(patient.gender, 'male');
    assert.deepEqual(at(patient, 'identifier', 0), {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
      system: 'urn:oid:2.16.840.1.113883.19.3.2.1',
      value: '987488015',
      assigner: { display: 'MPI' },
    });
    assert.deepEqual(patient.telecom, [{ system: 'phone', value: '(907) 7552189', use: 'home' }]);
  });

  test('OBR → DiagnosticReport: code (LOINC and local), filler number, status, results in order', () => {
    assert.deepEqual(report.code, {
      coding: [
        { system: 'http://loinc.org', code: '625-4', display: 'Stool culture' },
        { code: '8835327', display: 'Stool Culture Test' },
      ],
      text: 'Stool culture',
    });
    assert.equal(report.status, 'final'); // OBR-25 F
    assert.equal(at(report, 'identifier', 0, 'value'), '2233817'); // OBR-3
    assert.equal(report.effectiveDateTime, '2010-07-26'); // OBR-7 201007261100, no zone: date only
    assert.deepEqual(report.subject, { reference: urn(patient) });
    assert.deepEqual(
      report.result,
      observations.map((o) => ({ reference: urn(o) })),
    );
  });

  test('OBX (ST) → Observations with their LOINC codes, string values and status', () => {
    assert.deepEqual(
      observations.map((o) => [
        at(o, 'code', 'coding', 0, 'system'),
        at(o, 'code', 'coding', 0, 'code'),
        o.valueString,
        o.status,
      ]),
      [
        ['http://loinc.org', '6331-3', 'Isolated', 'final'],
        ['http://loinc.org', '20995-1', 'Isolated', 'final'],
        ['http://loinc.org', '17576-0', 'Not Isolated', 'final'],
      ],
    );
    for (const o of observations) assert.deepEqual(o.subject, { reference: urn(patient) });
  });

  test('a message without PV1 has no Encounter, and nothing references one', () => {
    assert.equal(resourcesOf(result.bundle, 'Encounter').length, 0);
    for (const o of observations) assert.equal(o.encounter, undefined);
  });
});

describe('ORU^R01 (ORU-R01-01.hl7)', () => {
  const result = convert('ORU-R01-01.hl7');
  const report = only(result, 'DiagnosticReport');
  const observations = resourcesOf(result.bundle, 'Observation');

  test('OBX CWE value, units, reference range, abnormal flag, status, notes (NTE)', () => {
    // OBX|1|CWE|625-4^...|1|27268008^Salmonella^SCT^^^^^^Salmonella species|beats/min^^ISO|70-80|A^A^HL70078...|||P
    const culture = observations.find((o) => at(o, 'valueCodeableConcept') !== undefined);
    assert.ok(culture);
    assert.deepEqual(culture.valueCodeableConcept, {
      coding: [{ system: 'http://snomed.info/sct', code: '27268008', display: 'Salmonella' }],
      text: 'Salmonella species',
    });
    assert.deepEqual(culture.referenceRange, [
      { low: { value: 70, unit: 'beats/min' }, high: { value: 80, unit: 'beats/min' } },
    ]);
    assert.equal(at(culture, 'interpretation', 0, 'coding', 0, 'code'), 'A');
    assert.equal(culture.status, 'preliminary');
    assert.equal(culture.effectiveDateTime, '2012-03-01'); // OBX-14 20120301
    assert.deepEqual(culture.note, [
      { text: 'Submission of serum' },
      { text: 'No Antibodies Detected' },
    ]);
  });

  test('OBX NM with repetitions takes the first value; OBX without OBX-3 is skipped, not invented', () => {
    const numeric = observations.find((o) => o.valueQuantity !== undefined);
    assert.deepEqual(numeric?.valueQuantity, { value: 27 }); // 27~25
    assert.equal(numeric?.status, 'registered'); // OBX-11 I
    assert.ok(result.skipped.some((note) => /no observation identifier \(OBX-3\)/.test(note)));
    assert.ok(result.skipped.some((note) => /value type RP not converted/.test(note)));
  });

  test('the report lists the OBX segments after its OBR; an OBX before any OBR stands alone', () => {
    const results = (report.result as { reference: string }[]).map((r) => r.reference);
    assert.equal(results.length, 3);
    const standalone = observations.filter((o) => !results.includes(urn(o)));
    assert.equal(standalone.length, 1);
    assert.equal(at(standalone[0], 'code', 'coding', 0, 'code'), '8867-4');
  });

  test('OBR-7/OBR-22 times with their zone, PV1-45 discharge makes a finished encounter', () => {
    assert.equal(report.effectiveDateTime, '2002-02-15T07:30:00+02:15');
    assert.equal(report.issued, '2002-03-15T07:30:00+02:15');
    const encounter = only(result, 'Encounter');
    assert.equal(encounter.status, 'finished');
    assert.deepEqual(encounter.period, {
      start: '2015-02-08T11:34:19+01:10',
      end: '2015-02-09T11:34:19+01:10',
    });
  });
});

describe('other message types', () => {
  test('SIU^S12: OBX NM with a UCUM-less unit and reference range', () => {
    const result = convert('SIU-S12-01.hl7');
    const observation = only(result, 'Observation');
    assert.deepEqual(observation.valueQuantity, { value: 72, unit: 'beats/min' });
    assert.deepEqual(observation.referenceRange, [
      { low: { value: 60, unit: 'beats/min' }, high: { value: 120, unit: 'beats/min' } },
    ]);
    assert.equal(at(observation, 'code', 'coding', 0, 'code'), '8867-4');
    assert.equal(at(only(result, 'Encounter'), 'class', 'code'), 'AMB'); // PV1-2 O
  });

  test('VXU^V04: CE and DT values; RXA (immunizations) reported as not converted', () => {
    const result = convert('VXU.hl7');
    const observations = resourcesOf(result.bundle, 'Observation');
    assert.deepEqual(
      observations.map((o) => [
        at(o, 'code', 'coding', 0, 'code'),
        at(o, 'valueCodeableConcept', 'coding', 0, 'code') ?? o.valueDateTime,
      ]),
      [
        ['30963-3', 'PHC70'],
        ['64994-7', 'V01'],
        ['69764-9', '253088698300028811170411'],
        ['29769-7', '2015-06-24'],
      ],
    );
    assert.equal(
      at(observations[1], 'valueCodeableConcept', 'coding', 0, 'system'),
      'http://terminology.hl7.org/CodeSystem/v2-0064',
    );
    const patient = only(result, 'Patient');
    assert.deepEqual(patient.name, [{ use: 'official', family: 'Wong', given: ['Elise'] }]);
    assert.equal(patient.gender, 'female');
    assert.deepEqual(patient.telecom, [
      { system: 'phone', value: '(406) 5557896', use: 'home' },
      { system: 'email', value: 'Elise.Wong@isp.com', use: 'home' },
    ]);
    assert.ok(result.skipped.includes('RXA ×3: segment not converted'));
  });

  test('ORM^O01 and OML^O21: OBR in an order message is a ServiceRequest, not a report', () => {
    for (const file of ['ORM-O01-01.hl7', 'MDHHS-OML-O21-1.hl7']) {
      const result = convert(file);
      assert.equal(resourcesOf(result.bundle, 'DiagnosticReport').length, 0, file);
      const request = only(result, 'ServiceRequest');
      assert.equal(request.intent, 'order');
      const observation = only(result, 'Observation');
      assert.deepEqual(request.supportingInfo, [{ reference: urn(observation) }]);
    }
    const oml = convert('MDHHS-OML-O21-1.hl7');
    assert.equal(at(only(oml, 'ServiceRequest'), 'code', 'coding', 0, 'code'), '6532-6');
    // Its ORC is glued onto the end of GT1 (a missing segment terminator in the source): there
    // is no ORC-1, so the order status is unknown rather than guessed.
    assert.equal(only(oml, 'ServiceRequest').status, 'unknown');
    assert.ok(oml.skipped.includes('GT1 ×1: segment not converted'));
    const orm = convert('ORM-O01-01.hl7');
    assert.equal(only(orm, 'ServiceRequest').status, 'active'); // ORC-1 NW
    // OBX|1|TS|...||20150818060605-0500
    assert.equal(only(oml, 'Observation').valueDateTime, '2015-08-18T06:06:05-05:00');
    const patient = only(oml, 'Patient');
    assert.equal(patient.birthDate, '2016-03-08');
    assert.equal(patient.gender, 'female');
    assert.deepEqual(patient.name, [{ use: 'official', family: 'Shine', given: ['Baby Girl'] }]);
  });

  test('MDM^T02: HD value as a string, ED value left out and reported', () => {
    const result = convert('MDM-T02-01.hl7');
    const [study, document] = resourcesOf(result.bundle, 'Observation');
    assert.equal(study?.valueString, '1.2.840.317.5947431.51');
    assert.equal(document?.valueString, undefined);
    assert.ok(result.skipped.some((note) => /value type ED not converted/.test(note)));
    assert.equal(at(only(result, 'Encounter'), 'class', 'code'), 'IMP'); // PV1-2 I
  });
});

describe('escapes, repetitions, components and missing segments', () => {
  const header = 'MSH|^~\\&|Lab|Fac|||20240102030405+0100||ORU^R01|CTRL-1|P|2.5.1';

  test('escape sequences are decoded after splitting', () => {
    const text = [
      header,
      'PID|1||X1^^^^MR||O\\T\\Brien^Mary\\S\\Ann',
      'OBR|1||F1|24331-1^Lipid panel^LN',
      'OBX|1|ST|11-1^Comment^LN||a\\F\\b\\R\\c\\E\\d\\.br\\e||||||F',
      'OBX|2|FT|12-2^Note^LN||line\\X0A\\two||||||F',
    ].join('\r');
    const result = convertHl7v2(text, { now: NOW });
    assertValidFhir(result.bundle);
    const patient = only(result, 'Patient');
    assert.deepEqual(patient.name, [{ family: 'O&Brien', given: ['Mary^Ann'] }]);
    const [first, second] = resourcesOf(result.bundle, 'Observation');
    assert.equal(first?.valueString, 'a|b~c\\d\ne');
    assert.equal(second?.valueString, 'line\ntwo');
  });

  test('SN values (comparator, ranges, ratios), UCUM units and numeric bounds', () => {
    const text = [
      header,
      'PID|1||X1',
      'OBX|1|SN|1-1^A^LN||<^5|mg/dL^mg/dL^UCUM|<10||||F',
      'OBX|2|SN|2-2^B^LN||^1^:^128|||||F',
      'OBX|3|SN|3-3^C^LN||^2^-^4|mmol/L^^UCUM|>1||||F',
      'OBX|4|NM|4-4^D^LN||7.25|%^percent^UCUM|||||C',
    ].join('\n');
    const result = convertHl7v2(text, { now: NOW });
    assertValidFhir(result.bundle);
    const [a, b, c, d] = resourcesOf(result.bundle, 'Observation');
    const UCUM = 'http://unitsofmeasure.org';
    assert.deepEqual(a?.valueQuantity, {
      value: 5,
      comparator: '<',
      unit: 'mg/dL',
      system: UCUM,
      code: 'mg/dL',
    });
    assert.deepEqual(a?.referenceRange, [
      { high: { value: 10, unit: 'mg/dL', system: UCUM, code: 'mg/dL' } },
    ]);
    assert.deepEqual(b?.valueRatio, { numerator: { value: 1 }, denominator: { value: 128 } });
    assert.deepEqual(c?.valueRange, {
      low: { value: 2, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
      high: { value: 4, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
    });
    assert.deepEqual(c?.referenceRange, [
      { low: { value: 1, unit: 'mmol/L', system: UCUM, code: 'mmol/L' } },
    ]);
    assert.deepEqual(d?.valueQuantity, { value: 7.25, unit: 'percent', system: UCUM, code: '%' });
    assert.equal(d?.status, 'corrected');
  });

  test('a message with only MSH converts to a Provenance alone; a missing PID means no subject', () => {
    const bare = convertHl7v2(`${header}\r`, { now: NOW });
    assert.deepEqual(
      bare.bundle.entry.map((entry) => entry.resource.resourceType),
      ['Provenance'],
    );
    const noPid = convertHl7v2(`${header}\rOBX|1|NM|1-1^A^LN||5||||||F\r`, { now: NOW });
    assertValidFhir(noPid.bundle);
    const observation = only(noPid, 'Observation');
    assert.equal(observation.subject, undefined);
  });

  test('a message without a control id is keyed by its content', () => {
    const a = convertHl7v2('MSH|^~\\&|A|B|||x||ADT^A01||P|2.5\rPID|1||1||Doe^J\r', { now: NOW });
    const b = convertHl7v2('MSH|^~\\&|A|B|||x||ADT^A01||P|2.5\rPID|1||1||Doe^K\r', { now: NOW });
    assertValidFhir(a.bundle);
    assert.notEqual(a.bundle.entry[0]?.fullUrl, b.bundle.entry[0]?.fullUrl);
    assert.equal(at(only(a, 'Provenance'), 'entity', 0, 'what', 'identifier'), undefined);
  });
});

describe('broken messages', () => {
  const original = fixture('hl7v2/ADT-A01-02.hl7').toString('utf8');

  test('a broken MSH gets Hl7ParseError naming the field, with a hint, and no result', () => {
    const cases: [string, string, string][] = [
      ['MSH-2 repeated delimiter', original.replace('MSH|^~\\&|', 'MSH|^^\\&|'), 'MSH-2'],
      ['MSH-1 a letter', original.replace('MSH|', 'MSHX'), 'MSH-1'],
      ['no MSH-9', original.replace('|ADT^A01^ADT_A01|', '||'), 'MSH-9'],
      ['no MSH at all', original.replace(/^MSH[^\n]*\n/, ''), 'line 1'],
      ['only "MSH"', 'MSH', 'MSH-1'],
    ];
    for (const [label, text, entry] of cases) {
      assert.throws(
        () => convertHl7v2(text, { file: 'adt.hl7', now: NOW }),
        (error: unknown) => {
          assert.ok(error instanceof Hl7ParseError, label);
          assert.equal(error.name, 'Hl7ParseError');
          assert.equal(error.entry, entry, label);
          assert.equal(error.file, 'adt.hl7');
          assert.match(error.message, /^HL7 v2 file "adt\.hl7" at /);
          assert.ok(error.hint && /MSH/.test(error.hint), label);
          // Patient data never ends up in the error.
          assert.ok(!error.message.includes('EVERYMAN'), label);
          return true;
        },
      );
    }
  });

  test('a segment with a broken name fails the whole message (nothing half-converted)', () => {
    const broken = original.replace('\nPV1|', '\npv1|');
    assert.throws(
      () => convertHl7v2(broken, { now: NOW }),
      (error: unknown) => error instanceof Hl7ParseError && error.entry === 'line 4',
    );
  });
});

test('messages that reuse a control id (ADT^A01, A04, A08 fixtures: MSG00001) get distinct ids', () => {
  const ids = ['ADT-A01-02.hl7', 'ADT-A04-02.hl7', 'ADT-A08-02.hl7'].map((file) =>
    convert(file).bundle.entry.map((entry) => entry.fullUrl),
  );
  const all = ids.flat();
  assert.equal(new Set(all).size, all.length);
});
