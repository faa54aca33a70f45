import { transactionBundle } from '../bundle.ts';
import { isoDateTime } from '../datetime.ts';
import { DeviceDataError } from '../errors.ts';
import type { ConversionResult, Quantity, Reference, Resource } from '../fhir-types.ts';
import { readLines, type TextSource } from '../read-lines.ts';
import {
  type Effective,
  isVitalKind,
  VITALS,
  type VitalKind,
  vitalObservation,
  vitalQuantity,
} from '../vitals.ts';

const FORMAT = 'device CSV';

/** The header line every device CSV starts with (see docs/FHIR.md, "Device CSV"). */
export const DEVICE_CSV_HEADER = 'timestamp,type,value,unit';

/**
 * Converts the Aegle device CSV: a `timestamp,type,value,unit` header, then one reading per line.
 *
 * - timestamp: ISO 8601 with a zone ("2024-03-01T08:30:00+01:00"), or an interval "start/end".
 * - type: a VitalKind key (heart-rate, body-weight, step-count, blood-pressure, ...).
 * - value: a decimal number; blood-pressure is "systolic/diastolic" ("120/80").
 * - unit: a UCUM code or common spelling accepted for that type (kg, lb, /min, bpm, mmHg, ...).
 *
 * No quoting: no field of this format can contain a comma. Blank lines and lines starting with #
 * are ignored. Any other deviation is an error naming the line.
 */
export async function convertDeviceCsv(
  source: TextSource,
  options: { file?: string; subject?: Reference } = {},
): Promise<ConversionResult> {
  const observations: Resource[] = [];
  let lineNumber = 0;
  let sawHeader = false;
  for await (const rawLine of readLines(source)) {
    lineNumber++;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = { file: options.file, entry: `line ${lineNumber}` };
    if (!sawHeader) {
      if (line.replace(/^\uFEFF/, '').toLowerCase() !== DEVICE_CSV_HEADER) {
        throw new DeviceDataError(FORMAT, `the first line must be "${DEVICE_CSV_HEADER}"`, at);
      }
      sawHeader = true;
      continue;
    }
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length !== 4)
      throw new DeviceDataError(
        FORMAT,
        `expected 4 comma-separated fields, found ${fields.length}`,
        at,
      );
    const [timestamp = '', type = '', value = '', unit = ''] = fields;
    if (!isVitalKind(type)) {
      throw new DeviceDataError(
        FORMAT,
        'unknown type',
        at,
        `Known types: ${Object.keys(VITALS).join(', ')}.`,
      );
    }
    const effective = parseTimestamp(timestamp);
    if (effective === undefined)
      throw new DeviceDataError(FORMAT, 'the timestamp is not ISO 8601 with a time zone', at);
    const base = {
      idNamespace: 'aegle-device-csv',
      idKey: [timestamp, type],
      effective,
      subject: options.subject,
    };
    if (type === 'blood-pressure') {
      const match = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(value);
      if (match === null)
        throw new DeviceDataError(
          FORMAT,
          'blood-pressure values are written systolic/diastolic',
          at,
        );
      const component = (
        [
          ['systolic-blood-pressure', match[1]],
          ['diastolic-blood-pressure', match[2]],
        ] as const
      ).map(([kind, number]) => ({
        kind: kind as VitalKind,
        valueQuantity: quantity(kind, Number(number), unit, at),
      }));
      observations.push(vitalObservation({ ...base, kind: type, component }));
      continue;
    }
    if (!/^[+-]?\d+(\.\d+)?$/.test(value))
      throw new DeviceDataError(FORMAT, 'the value is not a decimal number', at);
    observations.push(
      vitalObservation({
        ...base,
        kind: type,
        valueQuantity: quantity(type, Number(value), unit, at),
      }),
    );
  }
  if (!sawHeader)
    throw new DeviceDataError(FORMAT, `the file is empty (no "${DEVICE_CSV_HEADER}" header)`, {
      file: options.file,
      entry: 'line 1',
    });
  return {
    bundle: transactionBundle(observations, `csv|${observations.map((o) => o.id).join('|')}`),
    skipped: [],
  };
}

function quantity(
  kind: VitalKind,
  value: number,
  unit: string,
  at: { file?: string | undefined; entry: string },
): Quantity {
  const result = vitalQuantity(kind, value, unit);
  if (result === undefined) {
    throw new DeviceDataError(
      FORMAT,
      `the unit is not accepted for ${kind}`,
      at,
      `Accepted: ${Object.keys(VITALS[kind].units).join(', ')}.`,
    );
  }
  return result;
}

function parseTimestamp(text: string): Effective | undefined {
  const [first = '', second, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const start = isoDateTime(first);
  if (start === undefined) return undefined;
  if (second === undefined) return { dateTime: start };
  const end = isoDateTime(second);
  return end === undefined ? undefined : { period: { start, end } };
}
