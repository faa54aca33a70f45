import { SaxesParser } from 'saxes';
import { transactionBundle } from '../bundle.ts';
import { isoDateTime } from '../datetime.ts';
import { DeviceDataError } from '../errors.ts';
import type { ConversionResult, Reference, Resource } from '../fhir-types.ts';
import { readTextChunks, type TextSource } from '../read-lines.ts';
import { type Effective, type VitalKind, vitalObservation, vitalQuantity } from '../vitals.ts';
import { deviceResource } from './device-resource.ts';

const FORMAT = 'Apple Health export';

export type DeviceConvertOptions = {
  file?: string;
  /** The patient the readings belong to. */
  subject?: Reference;
};

// HealthKit quantity types with a LOINC-coded counterpart. Oxygen saturation is a fraction in
// HealthKit (0.97) and a percentage in UCUM-coded vital signs, hence the factor.
const QUANTITY_TYPES: Readonly<Record<string, { kind: VitalKind; factor?: number }>> = {
  HKQuantityTypeIdentifierHeartRate: { kind: 'heart-rate' },
  HKQuantityTypeIdentifierRestingHeartRate: { kind: 'heart-rate' },
  HKQuantityTypeIdentifierStepCount: { kind: 'step-count' },
  HKQuantityTypeIdentifierBodyMass: { kind: 'body-weight' },
  HKQuantityTypeIdentifierHeight: { kind: 'body-height' },
  HKQuantityTypeIdentifierBodyTemperature: { kind: 'body-temperature' },
  HKQuantityTypeIdentifierBloodGlucose: { kind: 'blood-glucose' },
  HKQuantityTypeIdentifierOxygenSaturation: { kind: 'oxygen-saturation', factor: 100 },
  HKQuantityTypeIdentifierRespiratoryRate: { kind: 'respiratory-rate' },
  HKQuantityTypeIdentifierActiveEnergyBurned: { kind: 'calories-burned' },
  HKQuantityTypeIdentifierDistanceWalkingRunning: { kind: 'walking-distance' },
  HKQuantityTypeIdentifierBloodPressureSystolic: { kind: 'systolic-blood-pressure' },
  HKQuantityTypeIdentifierBloodPressureDiastolic: { kind: 'diastolic-blood-pressure' },
};
// HealthKit unit strings that differ from UCUM.
const UNIT_ALIASES: Readonly<Record<string, string>> = {
  'count/min': '/min',
  count: '{steps}',
  degC: 'Cel',
  degF: '[degF]',
  mmHg: 'mm[Hg]',
  '%': '%',
  Cal: 'kcal',
  lb: '[lb_av]',
  mi: '[mi_i]',
};

/**
 * Streams an Apple Health `export.xml` (HealthKit export) as Device and vital-sign/activity
 * Observation resources, with a SAX parser: memory stays flat however large the export.
 * Each Device is yielded once, before the first Observation that references it.
 */
export async function* streamAppleHealth(
  source: TextSource,
  options: DeviceConvertOptions & { onSkipped?: (note: string) => void } = {},
): AsyncGenerator<Resource> {
  const parser = new SaxesParser({ position: true });
  const pending: Resource[] = [];
  const devices = new Set<string>();
  let sawRoot = false;
  let failure: Error | undefined;
  let depth = 0;
  let correlationDepth = 0;
  let closing = false;
  parser.on('error', (error) => {
    // At the end of the input, an unclosed element means the file was cut short.
    const reason = closing
      ? 'the file ends before </HealthData> (truncated?)'
      : `the XML is not well-formed (${error.message.split('\n')[0]})`;
    failure ??= new DeviceDataError(FORMAT, reason, {
      file: options.file,
      entry: `line ${parser.line}`,
    });
  });
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1) {
      if (tag.name !== 'HealthData') {
        failure ??= new DeviceDataError(FORMAT, 'the root element is not <HealthData>', {
          file: options.file,
          entry: 'line 1',
        });
      }
      sawRoot = true;
      return;
    }
    if (tag.name === 'Correlation') correlationDepth = depth;
    if (tag.name !== 'Record') {
      if (depth === 2 && tag.name !== 'ExportDate' && tag.name !== 'Me')
        options.onSkipped?.(`<${tag.name}> element`);
      return;
    }
    // A Correlation (blood pressure, food) repeats Records that also appear at the top level.
    if (correlationDepth !== 0) return;
    const attributes = tag.attributes as Record<string, string>;
    const resources = recordResources(attributes, options, parser.line);
    if (resources === undefined) {
      const known = QUANTITY_TYPES[attributes.type ?? ''] !== undefined;
      options.onSkipped?.(
        known
          ? `Record of type ${attributes.type} in unit ${attributes.unit ?? '(none)'}`
          : `Record of type ${attributes.type ?? '(none)'}`,
      );
      return;
    }
    for (const resource of resources) {
      if (resource.resourceType === 'Device') {
        if (devices.has(resource.id ?? '')) continue;
        devices.add(resource.id ?? '');
      }
      pending.push(resource);
    }
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'Correlation') correlationDepth = 0;
    depth--;
  });
  for await (const text of readTextChunks(source)) {
    parser.write(text);
    if (failure !== undefined) throw failure;
    yield* pending.splice(0);
  }
  closing = true;
  parser.close();
  if (failure !== undefined) throw failure;
  if (!sawRoot || depth !== 0) {
    throw new DeviceDataError(FORMAT, 'the file ends before </HealthData> (truncated?)', {
      file: options.file,
      entry: `line ${parser.line}`,
    });
  }
  yield* pending.splice(0);
}

function parseDevice(attributes: Record<string, string>) {
  // device="<<HKDevice: 0x...>, name:Apple Watch, manufacturer:Apple, model:Watch, hardware:Watch2,3, software:4.2>"
  const text = attributes.device;
  const field = (name: string) =>
    // Values may hold commas ("hardware:Watch2,3"): a value ends where ", key:" or ">" begins.
    text === undefined
      ? undefined
      : new RegExp(`${name}:(.*?)(?=, [A-Za-z]+:|>|$)`).exec(text)?.[1]?.trim() || undefined;
  return deviceResource({
    name: field('name') ?? attributes.sourceName ?? 'Apple Health',
    manufacturer: field('manufacturer'),
    model: field('hardware') ?? field('model'),
    version: field('software') ?? attributes.sourceVersion,
  });
}

function recordResources(
  attributes: Record<string, string>,
  options: DeviceConvertOptions,
  line: number,
): Resource[] | undefined {
  const type = attributes.type ?? '';
  const mapping = QUANTITY_TYPES[type];
  const at = { file: options.file, entry: `line ${line}` };
  if (mapping === undefined) return undefined;
  const value = Number(attributes.value);
  const start = isoDateTime(attributes.startDate ?? '');
  const end = isoDateTime(attributes.endDate ?? '');
  if (!Number.isFinite(value) || attributes.value === undefined || attributes.value === '') {
    throw new DeviceDataError(FORMAT, `a ${type} Record has no numeric value`, at);
  }
  if (start === undefined || end === undefined) {
    throw new DeviceDataError(FORMAT, `a ${type} Record has no valid startDate/endDate`, at);
  }
  const sourceUnit = attributes.unit ?? '';
  const quantity = vitalQuantity(
    mapping.kind,
    value * (mapping.factor ?? 1),
    UNIT_ALIASES[sourceUnit] ?? sourceUnit,
  );
  // A unit without a UCUM mapping for this kind (e.g. glucose in mmol<180.15...>/L, which has a
  // LOINC code of its own) is reported, not fatal: one unusual record must not block the export.
  if (quantity === undefined) return undefined;
  const effective: Effective = start === end ? { dateTime: start } : { period: { start, end } };
  const device = parseDevice(attributes);
  const observation = vitalObservation({
    idNamespace: 'aegle-apple-health',
    idKey: [
      type,
      attributes.sourceName ?? '',
      attributes.startDate ?? '',
      attributes.endDate ?? '',
      attributes.value ?? '',
    ],
    kind: mapping.kind,
    effective,
    valueQuantity: quantity,
    subject: options.subject,
    device,
  });
  return [device, observation];
}

/** Whole-file convenience around streamAppleHealth: one transaction Bundle plus skip counts. */
export async function convertAppleHealth(
  source: TextSource,
  options: DeviceConvertOptions = {},
): Promise<ConversionResult> {
  const counts = new Map<string, number>();
  const resources: Resource[] = [];
  for await (const resource of streamAppleHealth(source, {
    ...options,
    onSkipped: (note) => counts.set(note, (counts.get(note) ?? 0) + 1),
  })) {
    resources.push(resource);
  }
  return {
    bundle: transactionBundle(resources, `apple-health|${resources.map((r) => r.id).join('|')}`),
    skipped: [...counts].map(([note, count]) => `${note} ×${count}: not converted`),
  };
}
