import { referenceTo } from './bundle.ts';
import type { CodeableConcept, Period, Quantity, Reference, Resource } from './fhir-types.ts';
import { deterministicUuid } from './ids.ts';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** The kinds of device reading the converters know, by a stable key used in the CSV format too. */
export type VitalKind =
  | 'heart-rate'
  | 'blood-pressure'
  | 'systolic-blood-pressure'
  | 'diastolic-blood-pressure'
  | 'body-weight'
  | 'body-height'
  | 'body-temperature'
  | 'blood-glucose'
  | 'oxygen-saturation'
  | 'respiratory-rate'
  | 'step-count'
  | 'calories-burned'
  | 'walking-distance'
  | 'sleep-duration';

type VitalDefinition = {
  loinc: string;
  display: string;
  category: 'vital-signs' | 'activity';
  /** The UCUM code the value is stored in, and the human unit shown with it. */
  ucum: string;
  unit: string;
  /** Units a source may use for this kind, mapped to UCUM codes (same quantity, no conversion). */
  units: Readonly<Record<string, string>>;
};

// LOINC codes as used by the FHIR R4 vital-signs profiles (heart rate, BP panel, weight, height,
// temperature, SpO2, respiratory rate) and by LOINC's activity terms for the rest.
export const VITALS: Readonly<Record<VitalKind, VitalDefinition>> = {
  'heart-rate': {
    loinc: '8867-4',
    display: 'Heart rate',
    category: 'vital-signs',
    ucum: '/min',
    unit: 'beats/minute',
    units: {
      '/min': '/min',
      bpm: '/min',
      'beats/min': '/min',
      'beats/minute': '/min',
      'count/min': '/min',
    },
  },
  'blood-pressure': {
    loinc: '85354-9',
    display: 'Blood pressure panel with all children optional',
    category: 'vital-signs',
    ucum: 'mm[Hg]',
    unit: 'mmHg',
    units: { 'mm[Hg]': 'mm[Hg]', mmHg: 'mm[Hg]' },
  },
  'systolic-blood-pressure': {
    loinc: '8480-6',
    display: 'Systolic blood pressure',
    category: 'vital-signs',
    ucum: 'mm[Hg]',
    unit: 'mmHg',
    units: { 'mm[Hg]': 'mm[Hg]', mmHg: 'mm[Hg]' },
  },
  'diastolic-blood-pressure': {
    loinc: '8462-4',
    display: 'Diastolic blood pressure',
    category: 'vital-signs',
    ucum: 'mm[Hg]',
    unit: 'mmHg',
    units: { 'mm[Hg]': 'mm[Hg]', mmHg: 'mm[Hg]' },
  },
  'body-weight': {
    loinc: '29463-7',
    display: 'Body weight',
    category: 'vital-signs',
    ucum: 'kg',
    unit: 'kg',
    units: { kg: 'kg', g: 'g', lb: '[lb_av]', '[lb_av]': '[lb_av]' },
  },
  'body-height': {
    loinc: '8302-2',
    display: 'Body height',
    category: 'vital-signs',
    ucum: 'cm',
    unit: 'cm',
    units: { cm: 'cm', m: 'm', in: '[in_i]', '[in_i]': '[in_i]' },
  },
  'body-temperature': {
    loinc: '8310-5',
    display: 'Body temperature',
    category: 'vital-signs',
    ucum: 'Cel',
    unit: 'C',
    units: { Cel: 'Cel', C: 'Cel', degC: 'Cel', '[degF]': '[degF]', F: '[degF]', degF: '[degF]' },
  },
  'blood-glucose': {
    loinc: '2339-0',
    display: 'Glucose [Mass/volume] in Blood',
    category: 'vital-signs',
    ucum: 'mg/dL',
    unit: 'mg/dL',
    units: { 'mg/dL': 'mg/dL', 'mg/dl': 'mg/dL' },
  },
  'oxygen-saturation': {
    loinc: '2708-6',
    display: 'Oxygen saturation in Arterial blood',
    category: 'vital-signs',
    ucum: '%',
    unit: '%',
    units: { '%': '%' },
  },
  'respiratory-rate': {
    loinc: '9279-1',
    display: 'Respiratory rate',
    category: 'vital-signs',
    ucum: '/min',
    unit: 'breaths/minute',
    units: { '/min': '/min', 'breaths/min': '/min', 'count/min': '/min' },
  },
  'step-count': {
    loinc: '55423-8',
    display: 'Number of steps in unspecified time Pedometer',
    category: 'activity',
    ucum: '{steps}',
    unit: 'steps',
    units: { '{steps}': '{steps}', steps: '{steps}', count: '{steps}' },
  },
  'calories-burned': {
    loinc: '41981-2',
    display: 'Calories burned',
    category: 'activity',
    ucum: 'kcal',
    unit: 'kcal',
    units: { kcal: 'kcal', Cal: 'kcal' },
  },
  'walking-distance': {
    loinc: '55430-3',
    display: 'Walking distance unspecified time Pedometer',
    category: 'activity',
    ucum: 'm',
    unit: 'm',
    units: { m: 'm', km: 'km', mi: '[mi_i]', '[mi_i]': '[mi_i]' },
  },
  'sleep-duration': {
    loinc: '93832-4',
    display: 'Sleep duration',
    category: 'activity',
    ucum: 'min',
    unit: 'min',
    units: { min: 'min', h: 'h', s: 's' },
  },
};

export function isVitalKind(kind: string): kind is VitalKind {
  return Object.hasOwn(VITALS, kind);
}

export function vitalCode(kind: VitalKind): CodeableConcept {
  const vital = VITALS[kind];
  return {
    coding: [{ system: LOINC, code: vital.loinc, display: vital.display }],
    text: vital.display,
  };
}

/** A UCUM quantity for a reading, or undefined when the unit is not one this kind accepts. */
export function vitalQuantity(
  kind: VitalKind,
  value: number,
  sourceUnit?: string,
): Quantity | undefined {
  const vital = VITALS[kind];
  const code = sourceUnit === undefined ? vital.ucum : vital.units[sourceUnit];
  if (code === undefined) return undefined;
  return {
    value,
    unit: code === vital.ucum ? vital.unit : (sourceUnit ?? code),
    system: UCUM,
    code,
  };
}

export type Effective = { dateTime: string } | { period: Period };

export type VitalObservationInput = {
  /** Namespace and natural key: together they make the deterministic id. */
  idNamespace: string;
  idKey: readonly (string | number)[];
  kind: VitalKind;
  effective: Effective;
  /** The value of a single reading; a blood-pressure panel passes components instead. */
  valueQuantity?: Quantity;
  component?: { kind: VitalKind; valueQuantity: Quantity }[];
  subject?: Reference | undefined;
  device?: Resource | undefined;
  note?: string | undefined;
};

/** An Observation in the shape of the FHIR R4 vital-signs profile (or `activity` for activity data). */
export function vitalObservation(input: VitalObservationInput): Resource {
  const vital = VITALS[input.kind];
  const observation: Resource = {
    resourceType: 'Observation',
    id: deterministicUuid(input.idNamespace, ...input.idKey),
    status: 'final',
    category: [
      {
        coding: [
          {
            system: OBSERVATION_CATEGORY,
            code: vital.category,
            display: vital.category === 'vital-signs' ? 'Vital Signs' : 'Activity',
          },
        ],
      },
    ],
    code: vitalCode(input.kind),
  };
  if (input.subject !== undefined) observation.subject = input.subject;
  if ('dateTime' in input.effective) observation.effectiveDateTime = input.effective.dateTime;
  else observation.effectivePeriod = input.effective.period;
  if (input.device !== undefined) observation.device = referenceTo(input.device);
  if (input.valueQuantity !== undefined) observation.valueQuantity = input.valueQuantity;
  if (input.component !== undefined) {
    observation.component = input.component.map((part) => ({
      code: vitalCode(part.kind),
      valueQuantity: part.valueQuantity,
    }));
  }
  if (input.note !== undefined) observation.note = [{ text: input.note }];
  return observation;
}
