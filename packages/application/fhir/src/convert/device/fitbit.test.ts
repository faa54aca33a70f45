// Fitbit Web API responses (/work/shared/fixtures/device/fitbit) → Observations.
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
import { convertFitbit } from './fitbit.ts';

const UCUM = 'http://unitsofmeasure.org';

test('convertFitbit: intraday heart rate, one Observation per sample in the given zone', () => {
  const json = fixtureJson('device/fitbit/fitbit-activities-heart-1d-1m-intraday.json') as {
    'activities-heart-intraday': { dataset: { time: string; value: number }[] };
  };
  const result = convertFitbit(json, { utcOffset: '-07:00' });
  assertValidFhir(result.bundle);
  assertReferencesResolve(result.bundle);
  const observations = resourcesOf(result.bundle, 'Observation');
  const dataset = json['activities-heart-intraday'].dataset;
  assert.equal(observations.length, dataset.length);
  assert.deepEqual(
    observations.map((o) => [o.effectiveDateTime, at(o, 'valueQuantity', 'value')]),
    dataset.map((s) => [`2015-08-21T${s.time}-07:00`, s.value]),
  );
  assert.deepEqual(observations[0]?.valueQuantity, {
    value: 64,
    unit: 'beats/minute',
    system: UCUM,
    code: '/min',
  });
  assert.equal(at(observations[0], 'code', 'coding', 0, 'code'), '8867-4');
});

test('convertFitbit: each sleep log is a sleep-duration Observation over the time in bed', () => {
  const result = convertFitbit(fixtureJson('device/fitbit/fitbit-sleep-date.json'), {
    utcOffset: '+01:00',
  });
  assertValidFhir(result.bundle);
  const observations = resourcesOf(result.bundle, 'Observation');
  assert.deepEqual(
    observations.map((o) => [at(o, 'valueQuantity', 'value'), o.effectivePeriod]),
    [
      [63, { start: '2016-12-13T09:59:00.000+01:00', end: '2016-12-13T11:02:30.000+01:00' }],
      [112, { start: '2016-12-13T01:16:00.000+01:00', end: '2016-12-13T03:14:00.000+01:00' }],
    ],
  );
  assert.equal(at(observations[0], 'valueQuantity', 'code'), 'min');
});

test('convertFitbit refuses to guess a time zone', () => {
  assert.throws(
    () => convertFitbit({}, { utcOffset: 'CET' }),
    (error: unknown) => error instanceof DeviceDataError && /utcOffset/.test(error.message),
  );
});
