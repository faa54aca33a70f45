// Apple Health export.xml (/work/shared/fixtures/device/apple-health) → Device and Observations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeviceDataError } from '../errors.ts';
import {
  assertReferencesResolve,
  assertValidFhir,
  at,
  fixture,
  resourcesOf,
} from '../test-support.ts';
import { convertAppleHealth, streamAppleHealth } from './apple-health.ts';

const UCUM = 'http://unitsofmeasure.org';
const xml = fixture('device/apple-health/export6s3sample.xml');

/** The Record elements of the fixture, read with a regular expression, independently of saxes. */
function records(type: string) {
  return [...xml.toString('utf8').matchAll(/<Record ([^>]*)\/>/g)]
    .map((match) =>
      Object.fromEntries(
        [...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      ),
    )
    .filter((attributes) => attributes.type === type);
}

function fhirTime(apple: string): string {
  // "2014-09-13 10:27:54 +0100" → "2014-09-13T10:27:54+01:00"
  const [date, time, zone = ''] = apple.split(' ');
  return `${date}T${time}${zone.slice(0, 3)}:${zone.slice(3)}`;
}

describe('convertAppleHealth on the fixture', () => {
  test('every StepCount and DistanceWalkingRunning record, with LOINC code, UCUM unit and period', async () => {
    const result = await convertAppleHealth(xml, { file: 'export.xml' });
    assertValidFhir(result.bundle);
    assertReferencesResolve(result.bundle);
    const observations = resourcesOf(result.bundle, 'Observation');
    const steps = records('HKQuantityTypeIdentifierStepCount');
    const distances = records('HKQuantityTypeIdentifierDistanceWalkingRunning');
    assert.equal(steps.length, 10);
    assert.equal(distances.length, 5);
    const expected = [
      ...steps.map((r) => ['55423-8', Number(r.value), '{steps}', r.startDate, r.endDate]),
      ...distances.map((r) => ['55430-3', Number(r.value), 'km', r.startDate, r.endDate]),
    ].map(([code, value, unit, start, end]) => [
      code,
      value,
      unit,
      fhirTime(String(start)),
      fhirTime(String(end)),
    ]);
    assert.deepEqual(
      observations.map((o) => [
        at(o, 'code', 'coding', 0, 'code'),
        at(o, 'valueQuantity', 'value'),
        at(o, 'valueQuantity', 'code'),
        at(o, 'effectivePeriod', 'start'),
        at(o, 'effectivePeriod', 'end'),
      ]),
      expected,
    );
    assert.equal(at(observations[0], 'valueQuantity', 'system'), UCUM);
    assert.equal(at(observations[0], 'valueQuantity', 'value'), 329);
    const [device] = resourcesOf(result.bundle, 'Device');
    assert.equal(at(device, 'deviceName', 0, 'name'), 'Health');
    assert.deepEqual(
      new Set(result.skipped),
      new Set([
        '<Workout> element ×1: not converted',
        '<ActivitySummary> element ×2: not converted',
      ]),
    );
  });

  test('streams: chunks of 100 bytes give the same resources as the whole file', async () => {
    const chunks = function* () {
      for (let offset = 0; offset < xml.length; offset += 100)
        yield xml.subarray(offset, offset + 100);
    };
    const streamed = [];
    for await (const resource of streamAppleHealth(chunks())) streamed.push(resource);
    const whole = await convertAppleHealth(xml);
    assert.deepEqual(
      streamed,
      whole.bundle.entry.map((entry) => entry.resource),
    );
  });
});

describe('convertAppleHealth on other records', () => {
  const device =
    'device="&lt;&lt;HKDevice: 0x1&gt;, name:Apple Watch, manufacturer:Apple, model:Watch, hardware:Watch2,3, software:4.2&gt;"';
  const export_ = `<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_GB">
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" ${device} unit="count/min" startDate="2024-03-01 08:00:00 +0100" endDate="2024-03-01 08:00:00 +0100" value="72"/>
 <Record type="HKQuantityTypeIdentifierBloodGlucose" sourceName="Meter" unit="mg/dL" startDate="2024-03-01 07:30:00 +0100" endDate="2024-03-01 07:30:00 +0100" value="95"/>
 <Record type="HKQuantityTypeIdentifierBloodGlucose" sourceName="Meter" unit="mmol&lt;180.1558800000541&gt;/L" startDate="2024-03-02 07:30:00 +0100" endDate="2024-03-02 07:30:00 +0100" value="5.3"/>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Scale" unit="lb" startDate="2024-03-01 07:00:00 +0100" endDate="2024-03-01 07:00:00 +0100" value="154.3"/>
 <Record type="HKQuantityTypeIdentifierOxygenSaturation" sourceName="Watch" unit="%" startDate="2024-03-01 09:00:00 +0100" endDate="2024-03-01 09:00:00 +0100" value="0.97"/>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" startDate="2024-03-01 08:05:00 +0100" endDate="2024-03-01 08:05:00 +0100">
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="2024-03-01 08:05:00 +0100" endDate="2024-03-01 08:05:00 +0100" value="121"/>
 </Correlation>
 <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="2024-03-01 08:05:00 +0100" endDate="2024-03-01 08:05:00 +0100" value="121"/>
</HealthData>`;

  test('heart rate, glucose, weight in lb, SpO2 as a percentage; the device attribute parsed', async () => {
    const result = await convertAppleHealth(export_);
    assertValidFhir(result.bundle);
    const observations = resourcesOf(result.bundle, 'Observation');
    assert.deepEqual(
      observations.map((o) => [
        at(o, 'code', 'coding', 0, 'code'),
        at(o, 'valueQuantity', 'value'),
        at(o, 'valueQuantity', 'code'),
        o.effectiveDateTime,
      ]),
      [
        ['8867-4', 72, '/min', '2024-03-01T08:00:00+01:00'],
        ['2339-0', 95, 'mg/dL', '2024-03-01T07:30:00+01:00'],
        ['29463-7', 154.3, '[lb_av]', '2024-03-01T07:00:00+01:00'],
        ['2708-6', 97, '%', '2024-03-01T09:00:00+01:00'],
        // The Record inside the Correlation repeats the top-level one: converted once.
        ['8480-6', 121, 'mm[Hg]', '2024-03-01T08:05:00+01:00'],
      ],
    );
    const watch = resourcesOf(result.bundle, 'Device').find(
      (d) => at(d, 'deviceName', 0, 'name') === 'Apple Watch',
    );
    assert.equal(watch?.manufacturer, 'Apple');
    assert.equal(watch?.modelNumber, 'Watch2,3');
    // Glucose in mmol/L has another LOINC code: reported as not converted, not guessed.
    assert.ok(
      result.skipped.some((note) =>
        note.startsWith('Record of type HKQuantityTypeIdentifierBloodGlucose in unit mmol'),
      ),
    );
  });

  test('a truncated export is a DeviceDataError, with nothing returned', async () => {
    const cut = export_.slice(0, export_.indexOf('<Correlation'));
    await assert.rejects(convertAppleHealth(cut, { file: 'export.xml' }), (error: unknown) => {
      assert.ok(error instanceof DeviceDataError);
      assert.match(
        error.message,
        /^Apple Health export file "export\.xml" at line \d+: .*truncated/,
      );
      return true;
    });
    await assert.rejects(convertAppleHealth(xml.subarray(0, xml.length - 40)), DeviceDataError);
  });
});
