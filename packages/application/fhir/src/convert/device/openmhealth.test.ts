// Open mHealth data points (/work/shared/fixtures/device/openmhealth) → vital-sign Observations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeviceDataError } from '../errors.ts';
import type { Resource } from '../fhir-types.ts';
import { assertValidFhir, at, fixtureJson } from '../test-support.ts';
import { convertOpenMHealth } from './openmhealth.ts';

const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';

function single(file: string): Resource {
  const result = convertOpenMHealth(fixtureJson(`device/openmhealth/${file}`), { file });
  assertValidFhir(result.bundle);
  assert.equal(result.bundle.entry.length, 1);
  const observation = result.bundle.entry[0]?.resource as Resource;
  assertValidFhir(observation);
  return observation;
}

describe('convertOpenMHealth on the fixtures', () => {
  test('heart rate 2.0: 67.5 beats/min → LOINC 8867-4 in /min, at its date_time', () => {
    const o = single('heart-rate-2.0-with-temporal-relationship-to-sleep.json');
    assert.deepEqual(o.code, {
      coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }],
      text: 'Heart rate',
    });
    assert.deepEqual(o.valueQuantity, {
      value: 67.5,
      unit: 'beats/minute',
      system: UCUM,
      code: '/min',
    });
    assert.equal(o.effectiveDateTime, '2020-02-05T07:25:00-08:00');
    assert.equal(at(o, 'category', 0, 'coding', 0, 'code'), 'vital-signs');
    assert.deepEqual(o.note, [{ text: 'temporal relationship to sleep: on waking' }]);
  });

  test('blood pressure 4.0: one 85354-9 panel with systolic 160 and diastolic 60 mm[Hg] components', () => {
    const o = single('blood-pressure-4.0-with-descriptive-statistic.json');
    assert.equal(at(o, 'code', 'coding', 0, 'code'), '85354-9');
    assert.equal(o.valueQuantity, undefined);
    assert.deepEqual(
      (o.component as unknown[]).map((c) => [
        at(c, 'code', 'coding', 0, 'code'),
        at(c, 'valueQuantity', 'value'),
        at(c, 'valueQuantity', 'code'),
        at(c, 'valueQuantity', 'system'),
      ]),
      [
        ['8480-6', 160, 'mm[Hg]', UCUM],
        ['8462-4', 60, 'mm[Hg]', UCUM],
      ],
    );
    assert.deepEqual(o.effectivePeriod, {
      start: '2020-02-05T07:00:00-08:00',
      end: '2020-02-12T07:00:00-08:00',
    });
    // A maximum over a week is not a single reading: the qualifiers are kept.
    assert.deepEqual(o.note, [
      {
        text: 'descriptive statistic: maximum; body posture: sitting; measurement location: left wrist',
      },
    ]);
  });

  test('step count 3.0: 26000 steps → 55423-8 {steps}, activity category', () => {
    const o = single('step-count-3.0-with-session.json');
    assert.equal(at(o, 'code', 'coding', 0, 'code'), '55423-8');
    assert.deepEqual(o.valueQuantity, {
      value: 26000,
      unit: 'steps',
      system: UCUM,
      code: '{steps}',
    });
    assert.equal(at(o, 'category', 0, 'coding', 0, 'code'), 'activity');
    assert.deepEqual(o.effectivePeriod, {
      start: '2016-02-05T07:00:00Z',
      end: '2016-06-05T07:00:00Z',
    });
  });

  test('body weight 3.0: 49.5 kg → 29463-7 kg', () => {
    const o = single('body-weight-3.0-with-descriptive-statistic.json');
    assert.equal(at(o, 'code', 'coding', 0, 'code'), '29463-7');
    assert.deepEqual(o.valueQuantity, { value: 49.5, unit: 'kg', system: UCUM, code: 'kg' });
  });
});

describe('convertOpenMHealth on other input', () => {
  const glucose = {
    header: { id: '8a3c5b7e-1111-4d6f-9a2b-0c1d2e3f4a5b', schema_id: { namespace: 'omh' } },
    body: {
      blood_glucose: { value: 95, unit: 'mg/dL' },
      effective_time_frame: { date_time: '2024-03-01T07:30:00+01:00' },
      temporal_relationship_to_meal: 'fasting',
    },
  };

  test('blood glucose in mg/dL → 2339-0, keyed by the header id; an array gives one per point', () => {
    const result = convertOpenMHealth([glucose, glucose.body]);
    assertValidFhir(result.bundle);
    const [a, b] = result.bundle.entry.map((entry) => entry.resource);
    assert.equal(at(a, 'code', 'coding', 0, 'code'), '2339-0');
    assert.deepEqual(a?.valueQuantity, { value: 95, unit: 'mg/dL', system: UCUM, code: 'mg/dL' });
    assert.notEqual(a?.id, b?.id);
    assert.equal(convertOpenMHealth(glucose).bundle.entry[0]?.resource.id, a?.id);
  });

  test('a time without zone, an unknown unit or an unknown measure is a DeviceDataError naming the path', () => {
    const cases: [unknown, string][] = [
      [
        { ...glucose.body, effective_time_frame: { date_time: '2024-03-01T07:30:00' } },
        '$.effective_time_frame',
      ],
      [{ ...glucose.body, blood_glucose: { value: 5.3, unit: 'mmol/L' } }, '$.blood_glucose'],
      [{ effective_time_frame: glucose.body.effective_time_frame, mood: 'happy' }, '$'],
      [[glucose, 42], '$[1]'],
    ];
    for (const [input, entry] of cases) {
      assert.throws(
        () => convertOpenMHealth(input, { file: 'points.json' }),
        (error: unknown) =>
          error instanceof DeviceDataError &&
          error.name === 'DeviceDataError' &&
          error.entry === entry &&
          error.file === 'points.json' &&
          typeof error.hint === 'string',
        entry,
      );
    }
  });
});
