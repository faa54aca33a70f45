import { createHash } from 'node:crypto';
import { transactionBundle } from '../bundle.ts';
import { isoDateTime } from '../datetime.ts';
import { DeviceDataError } from '../errors.ts';
import type { ConversionResult, Quantity, Reference, Resource } from '../fhir-types.ts';
import { type Effective, type VitalKind, vitalObservation, vitalQuantity } from '../vitals.ts';

const FORMAT = 'Open mHealth';

type UnitValue = { value?: unknown; unit?: unknown };
type TimeFrame = {
  date_time?: string;
  time_interval?: { start_date_time?: string; end_date_time?: string };
};

// Open mHealth body properties (omh:*:x.y schemas) and the reading each one holds.
const MEASURES: readonly { property: string; kind: VitalKind }[] = [
  { property: 'heart_rate', kind: 'heart-rate' },
  { property: 'step_count', kind: 'step-count' },
  { property: 'body_weight', kind: 'body-weight' },
  { property: 'body_height', kind: 'body-height' },
  { property: 'body_temperature', kind: 'body-temperature' },
  { property: 'blood_glucose', kind: 'blood-glucose' },
  { property: 'oxygen_saturation', kind: 'oxygen-saturation' },
  { property: 'respiratory_rate', kind: 'respiratory-rate' },
];

/** The body property names that mark a JSON object as an Open mHealth data point (for detection). */
export const OPEN_MHEALTH_PROPERTIES: readonly string[] = [
  ...MEASURES.map((m) => m.property),
  'systolic_blood_pressure',
  'diastolic_blood_pressure',
];

/**
 * Converts Open mHealth data points (a bare body, a `{header, body}` data point, or an array of
 * either) for heart rate, blood pressure, step count, body weight and the other vital signs.
 * descriptive_statistic, body_posture and similar qualifiers are kept as an Observation note, since
 * a "maximum over a week" is not the same claim as a single reading.
 */
export function convertOpenMHealth(
  json: unknown,
  options: { file?: string; subject?: Reference } = {},
): ConversionResult {
  const points = Array.isArray(json) ? json : [json];
  const observations = points.map((point, index) =>
    dataPointObservation(point, options, Array.isArray(json) ? `$[${index}]` : '$'),
  );
  return {
    bundle: transactionBundle(observations, `omh|${observations.map((o) => o.id).join('|')}`),
    skipped: [],
  };
}

function dataPointObservation(
  point: unknown,
  options: { file?: string; subject?: Reference },
  path: string,
): Resource {
  const at = (entry: string) => ({ file: options.file, entry });
  if (typeof point !== 'object' || point === null)
    throw new DeviceDataError(FORMAT, 'a data point is not a JSON object', at(path));
  const record = point as Record<string, unknown>;
  const body = (
    typeof record.body === 'object' && record.body !== null ? record.body : record
  ) as Record<string, unknown>;
  const bodyPath = body === record ? path : `${path}.body`;
  const effective = timeFrame(body.effective_time_frame as TimeFrame | undefined);
  if (effective === undefined) {
    throw new DeviceDataError(
      FORMAT,
      'effective_time_frame has no date_time or complete time_interval with a zone',
      at(`${bodyPath}.effective_time_frame`),
    );
  }
  // The header id (a UUID the source assigned) is the natural key; a bare body is keyed by content.
  const header = record.header as { id?: unknown } | undefined;
  const key =
    typeof header?.id === 'string'
      ? header.id
      : createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const qualifiers = [
    'descriptive_statistic',
    'descriptive_statistic_denominator',
    'body_posture',
    'measurement_location',
    'temporal_relationship_to_sleep',
    'temporal_relationship_to_physical_activity',
  ]
    .filter((name) => typeof body[name] === 'string')
    .map((name) => `${name.replaceAll('_', ' ')}: ${body[name]}`);
  const note = qualifiers.length === 0 ? undefined : qualifiers.join('; ');
  const base = {
    idNamespace: 'aegle-openmhealth',
    idKey: [key],
    effective,
    subject: options.subject,
    note,
  };

  if (body.systolic_blood_pressure !== undefined || body.diastolic_blood_pressure !== undefined) {
    const component: { kind: VitalKind; valueQuantity: Quantity }[] = [];
    for (const [property, kind] of [
      ['systolic_blood_pressure', 'systolic-blood-pressure'],
      ['diastolic_blood_pressure', 'diastolic-blood-pressure'],
    ] as const) {
      if (body[property] === undefined) continue;
      component.push({
        kind,
        valueQuantity: quantityOf(kind, body[property], at(`${bodyPath}.${property}`)),
      });
    }
    return vitalObservation({ ...base, kind: 'blood-pressure', component });
  }
  for (const { property, kind } of MEASURES) {
    if (body[property] === undefined) continue;
    // step-count 1.0/2.0 is a bare number; later versions are {value, unit}.
    const raw =
      typeof body[property] === 'number'
        ? { value: body[property], unit: 'steps' }
        : body[property];
    return vitalObservation({
      ...base,
      kind,
      valueQuantity: quantityOf(kind, raw, at(`${bodyPath}.${property}`)),
    });
  }
  throw new DeviceDataError(
    FORMAT,
    'the data point holds none of the supported measures',
    at(bodyPath),
    `Supported: ${OPEN_MHEALTH_PROPERTIES.join(', ')}.`,
  );
}

function quantityOf(kind: VitalKind, raw: unknown, at: { file?: string; entry: string }): Quantity {
  const { value, unit } = (raw ?? {}) as UnitValue;
  if (typeof value !== 'number' || typeof unit !== 'string')
    throw new DeviceDataError(FORMAT, 'expected {value: number, unit: string}', at);
  const quantity = vitalQuantity(kind, value, unit);
  if (quantity === undefined)
    throw new DeviceDataError(FORMAT, `the unit is not one this converter accepts for ${kind}`, at);
  return quantity;
}

function timeFrame(frame: TimeFrame | undefined): Effective | undefined {
  if (frame?.date_time !== undefined) {
    const dateTime = isoDateTime(frame.date_time);
    return dateTime === undefined ? undefined : { dateTime };
  }
  const start = isoDateTime(frame?.time_interval?.start_date_time ?? '');
  const end = isoDateTime(frame?.time_interval?.end_date_time ?? '');
  if (start === undefined || end === undefined) return undefined;
  return { period: { start, end } };
}
