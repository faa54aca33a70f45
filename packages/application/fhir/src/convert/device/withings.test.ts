// Withings measure response (/work/shared/fixtures/device/withings) → vital-sign Observations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceDataError } from '../errors.ts';
import {
  assertReferencesResolve,
  assertValidFhir,
  at,
  fixtureJson,
  resourcesOf,
} from '../test-support.ts';
import { convertWithings } from './withings.ts';

const UCUM = 'http://unitsofmeasure.org';
const json = fixtureJson('device/withings/withings-body-measures.json') as {
  body: {
    measuregrps: { date: number; measures: { type: number; unit: number; value: number }[] }[];
  };
};

test('convertWithings: weight, blood pressure and pulse of the first group, value × 10^unit', () => {
  const result = convertWithings(json);
  assertValidFhir(result.bundle);
  assertReferencesResolve(result.bundle);
  const group = json.body.measuregrps[0];
  assert.ok(group);
  const when = new Date(group.date * 1000).toISOString().replace('.000Z', 'Z');
  assert.equal(when, '2015-05-31T06:06:23Z');
  const first = resourcesOf(result.bundle, 'Observation').filter(
    (o) => o.effectiveDateTime === when,
  );
  const byCode = new Map(first.map((o) => [at(o, 'code', 'coding', 0, 'code'), o]));
  // type 1 value 74126 unit -3 → 74.126 kg
  assert.deepEqual(byCode.get('29463-7')?.valueQuantity, {
    value: 74.126,
    unit: 'kg',
    system: UCUM,
    code: 'kg',
  });
  // type 11 (heart pulse) 41
  assert.deepEqual(byCode.get('8867-4')?.valueQuantity, {
    value: 41,
    unit: 'beats/minute',
    system: UCUM,
    code: '/min',
  });
  // types 10 and 9: systolic 104, diastolic 68, as one panel
  const panel = byCode.get('85354-9');
  const components = new Map(
    ((panel?.component ?? []) as unknown[]).map((c) => [
      at(c, 'code', 'coding', 0, 'code'),
      at(c, 'valueQuantity'),
    ]),
  );
  assert.deepEqual(components.get('8480-6'), {
    value: 104,
    unit: 'mmHg',
    system: UCUM,
    code: 'mm[Hg]',
  });
  assert.deepEqual(components.get('8462-4'), {
    value: 68,
    unit: 'mmHg',
    system: UCUM,
    code: 'mm[Hg]',
  });
  // attrib 0: measured by the Withings device, which is in the bundle
  const device = resourcesOf(result.bundle, 'Device')[0];
  assert.deepEqual(panel?.device, { reference: `urn:uuid:${device?.id}` });
  // Fat-mass measure type 18 has no vital-sign mapping and is reported, not dropped silently.
  assert.deepEqual(result.skipped, ['measure type 18 ×3: not converted']);
});

test('convertWithings counts every mapped measure of every group', () => {
  const mapped = new Set([1, 4, 11, 12, 54, 71]);
  let expected = 0;
  for (const group of json.body.measuregrps) {
    expected += group.measures.filter((m) => mapped.has(m.type)).length;
    if (group.measures.some((m) => m.type === 9 || m.type === 10)) expected++;
  }
  const result = convertWithings(json);
  assert.equal(resourcesOf(result.bundle, 'Observation').length, expected);
});

test('convertWithings rejects a response without measure groups', () => {
  assert.throws(
    () => convertWithings({ status: 0, body: {} }, { file: 'w.json' }),
    (error: unknown) =>
      error instanceof DeviceDataError &&
      error.entry === '$.body.measuregrps' &&
      error.file === 'w.json',
  );
});
