// The Aegle device CSV (docs/FHIR.md, "Device CSV") → vital-sign Observations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceDataError } from '../errors.ts';
import { assertValidFhir, at } from '../test-support.ts';
import { convertDeviceCsv } from './device-csv.ts';

const UCUM = 'http://unitsofmeasure.org';

const CSV = [
  'timestamp,type,value,unit',
  '# a comment',
  '2024-03-01T08:30:00+01:00,heart-rate,72,bpm',
  '2024-03-01T08:31:00+01:00,blood-pressure,120/80,mmHg',
  '2024-03-01T07:00:00Z,body-weight,70.5,kg',
  '2024-03-01T07:05:00Z,blood-glucose,95,mg/dL',
  '2024-03-01T00:00:00Z/2024-03-02T00:00:00Z,step-count,8500,steps',
  '',
].join('\r\n');

test('convertDeviceCsv: heart rate, blood pressure panel, weight, glucose and steps', async () => {
  const result = await convertDeviceCsv(CSV);
  assertValidFhir(result.bundle);
  const observations = result.bundle.entry.map((entry) => entry.resource);
  assert.deepEqual(
    observations.map((o) => [
      at(o, 'code', 'coding', 0, 'code'),
      at(o, 'valueQuantity', 'value'),
      at(o, 'valueQuantity', 'code'),
    ]),
    [
      ['8867-4', 72, '/min'],
      ['85354-9', undefined, undefined],
      ['29463-7', 70.5, 'kg'],
      ['2339-0', 95, 'mg/dL'],
      ['55423-8', 8500, '{steps}'],
    ],
  );
  assert.deepEqual(
    ((observations[1]?.component ?? []) as unknown[]).map((c) => [
      at(c, 'code', 'coding', 0, 'code'),
      at(c, 'valueQuantity'),
    ]),
    [
      ['8480-6', { value: 120, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' }],
      ['8462-4', { value: 80, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' }],
    ],
  );
  assert.deepEqual(observations[4]?.effectivePeriod, {
    start: '2024-03-01T00:00:00Z',
    end: '2024-03-02T00:00:00Z',
  });
  assert.equal(observations[0]?.effectiveDateTime, '2024-03-01T08:30:00+01:00');
});

test('convertDeviceCsv: each faulty line is a DeviceDataError naming the line, and nothing is returned', async () => {
  const header = 'timestamp,type,value,unit\n';
  const cases: [string, string, RegExp][] = [
    ['date,kind,number\n', 'line 1', /first line/],
    [`${header}2024-03-01T08:30:00,heart-rate,72,bpm\n`, 'line 2', /time zone/],
    [
      `${header}2024-03-01T08:30:00Z,heart-rate,72,bpm\n2024-03-01T08:30:00Z,mood,3,x\n`,
      'line 3',
      /unknown type/,
    ],
    [`${header}2024-03-01T08:30:00Z,body-weight,70,stone\n`, 'line 2', /unit/],
    [`${header}2024-03-01T08:30:00Z,blood-pressure,120,mmHg\n`, 'line 2', /systolic\/diastolic/],
    [`${header}2024-03-01T08:30:00Z,heart-rate,7`, 'line 2', /4 comma-separated fields/],
    ['', 'line 1', /empty/],
  ];
  for (const [text, entry, reason] of cases) {
    await assert.rejects(convertDeviceCsv(text, { file: 'r.csv' }), (error: unknown) => {
      assert.ok(error instanceof DeviceDataError, text);
      assert.equal(error.entry, entry, text);
      assert.match(error.reason, reason);
      assert.ok(error.hint);
      return true;
    });
  }
});
