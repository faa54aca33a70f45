import { transactionBundle } from '../bundle.ts';
import { epochSecondsToInstant } from '../datetime.ts';
import { DeviceDataError } from '../errors.ts';
import type { ConversionResult, Quantity, Reference, Resource } from '../fhir-types.ts';
import { type VitalKind, vitalObservation, vitalQuantity } from '../vitals.ts';
import { deviceResource } from './device-resource.ts';

const FORMAT = 'Withings JSON';

// Withings measure types (API "meastype") with their unit once value × 10^unit is applied.
const MEASURE_TYPES: Readonly<Record<number, { kind: VitalKind; unit: string }>> = {
  1: { kind: 'body-weight', unit: 'kg' },
  4: { kind: 'body-height', unit: 'm' },
  9: { kind: 'diastolic-blood-pressure', unit: 'mmHg' },
  10: { kind: 'systolic-blood-pressure', unit: 'mmHg' },
  11: { kind: 'heart-rate', unit: 'bpm' },
  12: { kind: 'body-temperature', unit: 'Cel' },
  54: { kind: 'oxygen-saturation', unit: '%' },
  71: { kind: 'body-temperature', unit: 'Cel' },
};

type Measure = { type?: number; unit?: number; value?: number };
type MeasureGroup = {
  grpid?: number;
  date?: number;
  category?: number;
  attrib?: number;
  measures?: Measure[];
};

/** value × 10^unit without binary drift: 74126 × 10^-3 is read as the decimal literal 74126e-3. */
function scaled(value: number, unit: number): number {
  return Number(`${value}e${unit}`);
}

/**
 * Converts a Withings "measure" (getmeas) response. Systolic and diastolic pressures of one group
 * become a single blood-pressure panel; user objectives (category 2) and unknown measure types
 * are reported in `skipped`.
 */
export function convertWithings(
  json: unknown,
  options: { file?: string; subject?: Reference } = {},
): ConversionResult {
  const groups = (json as { body?: { measuregrps?: unknown } } | null)?.body?.measuregrps;
  if (!Array.isArray(groups)) {
    throw new DeviceDataError(FORMAT, 'body.measuregrps is missing or not an array', {
      file: options.file,
      entry: '$.body.measuregrps',
    });
  }
  const device = deviceResource({ name: 'Withings', manufacturer: 'Withings' });
  const observations: Resource[] = [];
  const skipped = new Map<string, number>();
  const skip = (note: string) => skipped.set(note, (skipped.get(note) ?? 0) + 1);
  (groups as MeasureGroup[]).forEach((group, index) => {
    const at = { file: options.file, entry: `$.body.measuregrps[${index}]` };
    if (
      typeof group.date !== 'number' ||
      typeof group.grpid !== 'number' ||
      !Array.isArray(group.measures)
    ) {
      throw new DeviceDataError(FORMAT, 'a measure group lacks date, grpid or measures', at);
    }
    if (group.category === 2) {
      skip('user objective (category 2) measure group');
      return;
    }
    const effective = { dateTime: epochSecondsToInstant(group.date) };
    // attrib 0 = captured by a Withings device; other values are manual or ambiguous entries.
    const fromDevice = group.attrib === 0 ? device : undefined;
    const base = {
      idNamespace: 'aegle-withings',
      effective,
      subject: options.subject,
      device: fromDevice,
    };
    const pressures = new Map<VitalKind, Quantity>();
    for (const measure of group.measures) {
      const mapping = MEASURE_TYPES[measure.type ?? -1];
      if (mapping === undefined) {
        skip(`measure type ${measure.type}`);
        continue;
      }
      if (typeof measure.value !== 'number' || typeof measure.unit !== 'number') {
        throw new DeviceDataError(FORMAT, 'a measure lacks a numeric value or unit', at);
      }
      const quantity = vitalQuantity(
        mapping.kind,
        scaled(measure.value, measure.unit),
        mapping.unit,
      );
      if (quantity === undefined) continue;
      if (
        mapping.kind === 'systolic-blood-pressure' ||
        mapping.kind === 'diastolic-blood-pressure'
      ) {
        pressures.set(mapping.kind, quantity);
        continue;
      }
      observations.push(
        vitalObservation({
          ...base,
          idKey: [group.grpid, measure.type ?? 0],
          kind: mapping.kind,
          valueQuantity: quantity,
        }),
      );
    }
    if (pressures.size > 0) {
      observations.push(
        vitalObservation({
          ...base,
          idKey: [group.grpid, 'blood-pressure'],
          kind: 'blood-pressure',
          component: [...pressures].map(([kind, valueQuantity]) => ({ kind, valueQuantity })),
        }),
      );
    }
  });
  const usesDevice = observations.some((o) => o.device !== undefined);
  const resources = usesDevice ? [device, ...observations] : observations;
  return {
    bundle: transactionBundle(resources, `withings|${observations.map((o) => o.id).join('|')}`),
    skipped: [...skipped].map(([note, count]) => `${note} ×${count}: not converted`),
  };
}
