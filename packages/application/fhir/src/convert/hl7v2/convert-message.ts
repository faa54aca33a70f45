import { createHash } from 'node:crypto';
import { referenceTo, transactionBundle } from '../bundle.ts';
import { hl7DateTime } from '../datetime.ts';
import type {
  CodeableConcept,
  ConversionResult,
  Identifier,
  Quantity,
  Resource,
} from '../fhir-types.ts';
import { deterministicUuid } from '../ids.ts';
import {
  codeSystemUri,
  cweToCodeableConcept,
  cxToIdentifier,
  hdToSystem,
  xadToAddress,
  xpnToHumanName,
  xtnToContactPoint,
} from './datatypes.ts';
import {
  componentOf,
  type Hl7Message,
  type Hl7Segment,
  hl7Repetitions,
  hl7Value,
  parseHl7Message,
} from './parse-message.ts';

export type Hl7ConvertOptions = {
  /** The file name, only used to name it in errors. */
  file?: string;
  /** When the conversion happens: Provenance.recorded. Defaults to now. */
  now?: Date;
};

const UCUM = 'http://unitsofmeasure.org';
const ORDER_MESSAGES = new Set(['ORM', 'OML', 'OMG', 'OMI', 'OMB', 'OMD', 'OMN', 'OMS', 'OMP']);

/** Segments read by this converter; any other segment is reported in `skipped`. */
const CONVERTED = new Set(['MSH', 'PID', 'PV1', 'OBR', 'OBX', 'ORC']);

/**
 * Converts one HL7 v2.x message to a FHIR R4 transaction Bundle: Patient (PID), Encounter (PV1),
 * Observation (OBX), DiagnosticReport (OBR in results messages) or ServiceRequest (OBR in order
 * messages), and one Provenance naming the source message whose `target` lists them all.
 *
 * Every other segment is listed in `skipped` (e.g. "RXA ×3"), so that the caller can tell the user
 * what was not imported rather than dropping it silently.
 */
export function convertHl7v2(
  input: string | Uint8Array,
  options: Hl7ConvertOptions = {},
): ConversionResult {
  const message = parseHl7Message(input, options.file === undefined ? {} : { file: options.file });
  const converter = new MessageConverter(message, input);
  return converter.run(options.now ?? new Date());
}

class MessageConverter {
  readonly message: Hl7Message;
  readonly msh: Hl7Segment;
  readonly key: string[];
  readonly messageCode: string;
  readonly resources: Resource[] = [];
  readonly skipped: string[] = [];
  readonly unconverted = new Map<string, number>();
  patient: Resource | undefined;
  encounter: Resource | undefined;

  constructor(message: Hl7Message, input: string | Uint8Array) {
    this.message = message;
    this.msh = message.segments[0] as Hl7Segment;
    this.messageCode = this.value(this.msh, 9, 1);
    const controlId = this.value(this.msh, 10);
    // The natural key of a message is its sender plus its control id (MSH-10 is unique per
    // sender), with its time (MSH-7) and type (MSH-9) because senders, and test suites, do
    // reuse control ids: a resent message keeps all four, so a re-import is idempotent.
    // Without a control id, the content itself is the key.
    this.key =
      controlId === ''
        ? ['content', createHash('sha256').update(input).digest('hex')]
        : [
            this.value(this.msh, 3),
            this.value(this.msh, 4),
            controlId,
            this.value(this.msh, 7),
            hl7Repetitions(message, this.msh, 9)[0] ?? '',
          ];
  }

  value(
    segment: Hl7Segment,
    field: number,
    component = 1,
    subcomponent = 1,
    repetition = 0,
  ): string {
    return hl7Value(this.message, segment, { field, component, subcomponent, repetition });
  }

  id(...part: (string | number)[]): string {
    return deterministicUuid('aegle-hl7v2', ...this.key, ...part);
  }

  dateTime(segment: Hl7Segment, field: number): string | undefined {
    return hl7DateTime(this.value(segment, field))?.dateTime;
  }

  run(now: Date): ConversionResult {
    const segments = this.message.segments;
    const pids = segments.filter((s) => s.name === 'PID');
    if (pids[0] !== undefined) this.patient = this.convertPatient(pids[0]);
    if (pids.length > 1)
      this.skipped.push(
        `PID ×${pids.length - 1}: only the first patient of a message is converted`,
      );
    const pv1 = segments.find((s) => s.name === 'PV1');
    if (pv1 !== undefined) this.encounter = this.convertEncounter(pv1);

    const isOrder = ORDER_MESSAGES.has(this.messageCode);
    let order: Resource | undefined;
    let lastOrc: Hl7Segment | undefined;
    let noteTarget: Resource | undefined;
    for (let index = 0; index < segments.length; index++) {
      const segment = segments[index] as Hl7Segment;
      switch (segment.name) {
        case 'ORC':
          lastOrc = segment;
          noteTarget = undefined;
          break;
        case 'OBR':
          order = isOrder
            ? this.convertServiceRequest(segment, index, lastOrc)
            : this.convertReport(segment, index);
          noteTarget = isOrder ? order : undefined;
          break;
        case 'OBX': {
          const observation = this.convertObservation(segment, index, order);
          noteTarget = observation;
          if (observation !== undefined && order !== undefined) {
            const list = order.resourceType === 'DiagnosticReport' ? 'result' : 'supportingInfo';
            appendTo(order, list, referenceTo(observation));
          }
          break;
        }
        case 'NTE': {
          // A note belongs to the OBX (or order) it follows; elsewhere it has no FHIR home here.
          const text = hl7Repetitions(this.message, segment, 3)
            .map((rep) => componentOf(this.message, rep, 1))
            .join('\n')
            .trim();
          if (noteTarget !== undefined && text !== '') {
            appendTo(noteTarget, 'note', { text });
          } else this.countUnconverted('NTE');
          break;
        }
        default:
          if (!CONVERTED.has(segment.name)) this.countUnconverted(segment.name);
      }
    }
    for (const [name, count] of this.unconverted) {
      this.skipped.push(`${name} ×${count}: segment not converted`);
    }
    const all = [
      ...(this.patient === undefined ? [] : [this.patient]),
      ...(this.encounter === undefined ? [] : [this.encounter]),
      ...this.resources,
    ];
    all.push(this.provenance(all, now));
    return { bundle: transactionBundle(all, this.key.join('|')), skipped: this.skipped };
  }

  countUnconverted(name: string): void {
    this.unconverted.set(name, (this.unconverted.get(name) ?? 0) + 1);
  }

  reps(segment: Hl7Segment, field: number): string[] {
    return hl7Repetitions(this.message, segment, field);
  }

  convertPatient(pid: Hl7Segment): Resource {
    const patient: Resource = { resourceType: 'Patient', id: this.id('Patient') };
    const identifiers: Identifier[] = [];
    for (const field of [3, 2, 4]) {
      for (const rep of this.reps(pid, field)) {
        const identifier = cxToIdentifier(this.message, rep);
        if (identifier !== undefined) identifiers.push(identifier);
      }
    }
    const ssn = this.value(pid, 19);
    if (ssn !== '') {
      identifiers.push({
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] },
        system: 'http://hl7.org/fhir/sid/us-ssn',
        value: ssn,
      });
    }
    if (identifiers.length > 0) patient.identifier = identifiers;
    const names = this.reps(pid, 5)
      .map((rep) => xpnToHumanName(this.message, rep))
      .filter((x) => x !== undefined);
    if (names.length > 0) patient.name = names;
    const telecom = [
      ...this.reps(pid, 13).map((rep) => xtnToContactPoint(this.message, rep, 'home')),
      ...this.reps(pid, 14).map((rep) => xtnToContactPoint(this.message, rep, 'work')),
    ].filter((x) => x !== undefined);
    if (telecom.length > 0) patient.telecom = telecom;
    const gender = GENDER[this.value(pid, 8)];
    if (gender !== undefined) patient.gender = gender;
    const birth = hl7DateTime(this.value(pid, 7));
    if (birth !== undefined) patient.birthDate = birth.date;
    const deathTime = this.dateTime(pid, 29);
    if (deathTime !== undefined) patient.deceasedDateTime = deathTime;
    else if (this.value(pid, 30) === 'Y') patient.deceasedBoolean = true;
    else if (this.value(pid, 30) === 'N') patient.deceasedBoolean = false;
    const addresses = this.reps(pid, 11)
      .map((rep) => xadToAddress(this.message, rep))
      .filter((x) => x !== undefined);
    if (addresses.length > 0) patient.address = addresses;
    const marital = this.value(pid, 16);
    if (MARITAL_STATUS.has(marital)) {
      patient.maritalStatus = {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: marital },
        ],
      };
    }
    const multiple = this.value(pid, 24);
    const order = Number.parseInt(this.value(pid, 25), 10);
    if (multiple === 'Y' && Number.isInteger(order)) patient.multipleBirthInteger = order;
    else if (multiple === 'Y' || multiple === 'N') patient.multipleBirthBoolean = multiple === 'Y';
    return patient;
  }

  convertEncounter(pv1: Hl7Segment): Resource {
    const admit = this.dateTime(pv1, 44);
    const discharge = this.dateTime(pv1, 45);
    const encounter: Resource = {
      resourceType: 'Encounter',
      id: this.id('Encounter'),
      status:
        discharge !== undefined ? 'finished' : admit !== undefined ? 'in-progress' : 'unknown',
      class: ENCOUNTER_CLASS[this.value(pv1, 2)] ?? {
        system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor',
        code: 'UNK',
        display: 'unknown',
      },
    };
    const visit = this.reps(pv1, 19)
      .map((rep) => cxToIdentifier(this.message, rep))
      .filter((x) => x !== undefined);
    if (visit.length > 0) encounter.identifier = visit;
    if (this.patient !== undefined) encounter.subject = referenceTo(this.patient);
    const participants = [
      [7, 'ATND', 'attender'],
      [8, 'REF', 'referrer'],
      [9, 'CON', 'consultant'],
      [17, 'ADM', 'admitter'],
    ] as const;
    const participant = [];
    for (const [field, code, display] of participants) {
      for (const rep of this.reps(pv1, field)) {
        const name = [
          componentOf(this.message, rep, 6),
          componentOf(this.message, rep, 3),
          componentOf(this.message, rep, 2),
        ]
          .filter((x) => x !== '')
          .join(' ');
        if (name === '') continue;
        participant.push({
          type: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                  code,
                  display,
                },
              ],
            },
          ],
          individual: { display: name },
        });
      }
    }
    if (participant.length > 0) encounter.participant = participant;
    if (admit !== undefined || discharge !== undefined) {
      encounter.period = {
        ...(admit === undefined ? {} : { start: admit }),
        ...(discharge === undefined ? {} : { end: discharge }),
      };
    }
    return encounter;
  }

  /** EI (entity id^namespace^universal id^type) as an Identifier typed PLAC or FILL. */
  entityIdentifier(
    segment: Hl7Segment,
    field: number,
    type: 'PLAC' | 'FILL',
  ): Identifier | undefined {
    const value = this.value(segment, field, 1);
    if (value === '') return undefined;
    const identifier: Identifier = {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: type }] },
    };
    const system = hdToSystem(this.value(segment, field, 3), this.value(segment, field, 4));
    if (system !== undefined) identifier.system = system;
    identifier.value = value;
    const namespace = this.value(segment, field, 2);
    if (namespace !== '') identifier.assigner = { display: namespace };
    return identifier;
  }

  orderBasics(obr: Hl7Segment): Record<string, unknown> {
    const basics: Record<string, unknown> = {};
    const identifiers = [
      this.entityIdentifier(obr, 2, 'PLAC'),
      this.entityIdentifier(obr, 3, 'FILL'),
    ].filter((x) => x !== undefined);
    if (identifiers.length > 0) basics.identifier = identifiers;
    basics.code = this.codeableConcept(obr, 4) ?? { text: 'unspecified' };
    if (this.patient !== undefined) basics.subject = referenceTo(this.patient);
    if (this.encounter !== undefined) basics.encounter = referenceTo(this.encounter);
    return basics;
  }

  codeableConcept(segment: Hl7Segment, field: number): CodeableConcept | undefined {
    const rep = this.reps(segment, field)[0];
    return rep === undefined ? undefined : cweToCodeableConcept(this.message, rep);
  }

  convertReport(obr: Hl7Segment, index: number): Resource {
    const report: Resource = {
      resourceType: 'DiagnosticReport',
      id: this.id('OBR', index),
      status: REPORT_STATUS[this.value(obr, 25)] ?? 'unknown',
      ...this.orderBasics(obr),
    };
    const observed = this.dateTime(obr, 7);
    if (observed !== undefined) report.effectiveDateTime = observed;
    const issued = hl7DateTime(this.value(obr, 22))?.instant;
    if (issued !== undefined) report.issued = issued;
    this.resources.push(report);
    return report;
  }

  convertServiceRequest(obr: Hl7Segment, index: number, orc: Hl7Segment | undefined): Resource {
    const request: Resource = {
      resourceType: 'ServiceRequest',
      id: this.id('OBR', index),
      status: (orc === undefined ? undefined : ORDER_STATUS[this.value(orc, 1)]) ?? 'unknown',
      intent: 'order',
      ...this.orderBasics(obr),
    };
    const occurrence = this.dateTime(obr, 7);
    if (occurrence !== undefined) request.occurrenceDateTime = occurrence;
    const authored = orc === undefined ? undefined : this.dateTime(orc, 9);
    if (authored !== undefined) request.authoredOn = authored;
    this.resources.push(request);
    return request;
  }

  convertObservation(
    obx: Hl7Segment,
    index: number,
    order: Resource | undefined,
  ): Resource | undefined {
    const code = this.codeableConcept(obx, 3);
    if (code === undefined) {
      this.skipped.push(`OBX (line ${obx.line}): no observation identifier (OBX-3), not converted`);
      return undefined;
    }
    const observation: Resource = {
      resourceType: 'Observation',
      id: this.id('OBX', index),
      status: OBSERVATION_STATUS[this.value(obx, 11)] ?? 'unknown',
      code,
    };
    if (this.patient !== undefined) observation.subject = referenceTo(this.patient);
    if (this.encounter !== undefined) observation.encounter = referenceTo(this.encounter);
    const effective =
      this.dateTime(obx, 14) ??
      (order?.effectiveDateTime as string | undefined) ??
      (order?.occurrenceDateTime as string | undefined);
    if (effective !== undefined) observation.effectiveDateTime = effective;

    const type = this.value(obx, 2);
    const value = this.observationValue(obx, type);
    if (value === 'unsupported') {
      this.skipped.push(
        `OBX (line ${obx.line}): value type ${type || '(empty)'} not converted; the observation is kept without its value`,
      );
    } else if (value !== undefined) Object.assign(observation, value);

    const interpretation = this.reps(obx, 8)
      .map((rep) => componentOf(this.message, rep, 1))
      .filter((flag) => flag !== '')
      .map((flag) =>
        INTERPRETATION.has(flag)
          ? {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
                  code: flag,
                },
              ],
            }
          : { text: flag },
      );
    if (interpretation.length > 0) observation.interpretation = interpretation;
    const range = this.referenceRange(obx);
    if (range !== undefined) observation.referenceRange = [range];
    this.resources.push(observation);
    return observation;
  }

  wholeText(repetition: string): string {
    const count = repetition.split(this.message.delimiters.component).length;
    const parts = [];
    for (let component = 1; component <= count; component++)
      parts.push(componentOf(this.message, repetition, component));
    return parts.join(' ').trim();
  }

  unit(obx: Hl7Segment): Pick<Quantity, 'unit' | 'system' | 'code'> {
    const code = this.value(obx, 6, 1);
    const text = this.value(obx, 6, 2);
    const system = this.value(obx, 6, 3);
    if (code === '' && text === '') return {};
    if (codeSystemUri(system) === UCUM || system === 'UCUM')
      return { unit: text || code, system: UCUM, code };
    return { unit: text || code };
  }

  quantity(text: string, obx: Hl7Segment): Quantity | undefined {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text.trim())) return undefined;
    return { value: Number(text), ...this.unit(obx) };
  }

  observationValue(
    obx: Hl7Segment,
    type: string,
  ): Record<string, unknown> | 'unsupported' | undefined {
    const reps = this.reps(obx, 5);
    const first = reps[0];
    if (first === undefined) return undefined;
    const c = (n: number) => componentOf(this.message, first, n);
    switch (type) {
      case 'NM': {
        const quantity = this.quantity(c(1), obx);
        return quantity === undefined ? 'unsupported' : { valueQuantity: quantity };
      }
      case 'SN': {
        const [comparator, n1, separator, n2] = [c(1), c(2), c(3), c(4)];
        if ((separator === ':' || separator === '/') && n1 !== '' && n2 !== '') {
          const numerator = this.quantity(n1, obx);
          const denominator = this.quantity(n2, obx);
          if (numerator === undefined || denominator === undefined) return 'unsupported';
          return {
            valueRatio: {
              numerator: { value: numerator.value },
              denominator: { value: denominator.value },
            },
          };
        }
        if (separator === '-' && n1 !== '' && n2 !== '') {
          const low = this.quantity(n1, obx);
          const high = this.quantity(n2, obx);
          if (low === undefined || high === undefined) return 'unsupported';
          return { valueRange: { low, high } };
        }
        const quantity = this.quantity(n1, obx);
        if (
          quantity === undefined ||
          (comparator !== '' && comparator !== '=' && !COMPARATORS.has(comparator))
        ) {
          return 'unsupported';
        }
        if (COMPARATORS.has(comparator)) quantity.comparator = comparator;
        return { valueQuantity: quantity };
      }
      case 'ST':
      case 'TX':
      case 'FT':
      case 'ID':
      case 'IS':
      case 'HD': {
        // Text types may not contain components; a sender that used the separator meant it as text.
        const text = reps
          .map((rep) => (type === 'HD' ? componentOf(this.message, rep, 1) : this.wholeText(rep)))
          .join('\n')
          .trim();
        return text === '' ? undefined : { valueString: text };
      }
      case 'CE':
      case 'CWE':
      case 'CNE':
      case 'CF': {
        const concept = cweToCodeableConcept(this.message, first);
        return concept === undefined ? undefined : { valueCodeableConcept: concept };
      }
      case 'DT':
      case 'TS':
      case 'DTM': {
        const parts = hl7DateTime(c(1));
        return parts === undefined
          ? 'unsupported'
          : { valueDateTime: type === 'DT' ? parts.date : parts.dateTime };
      }
      case 'TM': {
        const match = /^(\d{2})(\d{2})?(\d{2})?/.exec(c(1));
        if (match === null) return 'unsupported';
        return { valueTime: `${match[1]}:${match[2] ?? '00'}:${match[3] ?? '00'}` };
      }
      default:
        return 'unsupported';
    }
  }

  referenceRange(obx: Hl7Segment): Record<string, unknown> | undefined {
    const text = this.value(obx, 7);
    if (text === '') return undefined;
    const unit = this.unit(obx);
    const between = /^\s*([+-]?\d+\.?\d*)\s*-\s*([+-]?\d+\.?\d*)\s*$/.exec(text);
    if (between !== null) {
      return {
        low: { value: Number(between[1]), ...unit },
        high: { value: Number(between[2]), ...unit },
      };
    }
    const bound = /^\s*([<>])=?\s*([+-]?\d+\.?\d*)\s*$/.exec(text);
    if (bound !== null) {
      const quantity = { value: Number(bound[2]), ...unit };
      return bound[1] === '<' ? { high: quantity } : { low: quantity };
    }
    return { text };
  }

  provenance(targets: Resource[], now: Date): Resource {
    const sender =
      this.value(this.msh, 3) || this.value(this.msh, 3, 2) || 'unknown sending application';
    const senderOid = hdToSystem(this.value(this.msh, 3, 2), this.value(this.msh, 3, 3));
    const facility = this.value(this.msh, 4);
    const messageType = [1, 2, 3]
      .map((component) => this.value(this.msh, 9, component))
      .filter((x) => x !== '')
      .join('^');
    const controlId = this.value(this.msh, 10);
    const provenance: Resource = {
      resourceType: 'Provenance',
      id: this.id('Provenance'),
      target: targets.map(referenceTo),
      recorded: now.toISOString(),
      activity: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
            code: 'CREATE',
            display: 'create',
          },
        ],
      },
      agent: [
        {
          type: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
                code: 'author',
                display: 'Author',
              },
            ],
          },
          who: {
            ...(senderOid === undefined
              ? {}
              : { identifier: { system: 'urn:ietf:rfc:3986', value: senderOid } }),
            display: sender,
          },
          ...(facility === '' ? {} : { onBehalfOf: { display: facility } }),
        },
        {
          type: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
                code: 'assembler',
                display: 'Assembler',
              },
            ],
          },
          who: { display: '@aegle/fhir HL7 v2 converter' },
        },
      ],
      entity: [
        {
          role: 'source',
          what: {
            ...(controlId === '' ? {} : { identifier: { value: controlId } }),
            display: `HL7 v${this.value(this.msh, 12) || '2'} ${messageType} message${controlId === '' ? '' : ` ${controlId}`}`,
          },
        },
      ],
    };
    const occurred = this.dateTime(this.msh, 7);
    if (occurred !== undefined) provenance.occurredDateTime = occurred;
    return provenance;
  }
}

/** Appends to a resource's list element, creating the list on first use. */
function appendTo(resource: Resource, element: string, item: unknown): void {
  const list = resource[element];
  if (Array.isArray(list)) list.push(item);
  else resource[element] = [item];
}

const GENDER: Readonly<Record<string, string>> = {
  M: 'male',
  F: 'female',
  O: 'other',
  A: 'other',
  U: 'unknown',
  N: 'unknown',
};
const MARITAL_STATUS = new Set(['A', 'D', 'I', 'L', 'M', 'P', 'S', 'T', 'U', 'W']);
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const ENCOUNTER_CLASS: Readonly<Record<string, { system: string; code: string; display: string }>> =
  {
    I: { system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' },
    O: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
    R: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
    E: { system: ACT_CODE, code: 'EMER', display: 'emergency' },
    P: { system: ACT_CODE, code: 'PRENC', display: 'pre-admission' },
  };
// OBX-11 (HL7 table 0085) to ObservationStatus, after the v2-to-FHIR mapping guide.
const OBSERVATION_STATUS: Readonly<Record<string, string>> = {
  F: 'final',
  U: 'final',
  C: 'corrected',
  A: 'amended',
  P: 'preliminary',
  R: 'preliminary',
  S: 'preliminary',
  I: 'registered',
  O: 'registered',
  X: 'cancelled',
  N: 'cancelled',
  D: 'entered-in-error',
  W: 'entered-in-error',
};
// OBR-25 (HL7 table 0123) to DiagnosticReportStatus.
const REPORT_STATUS: Readonly<Record<string, string>> = {
  F: 'final',
  C: 'corrected',
  A: 'partial',
  P: 'preliminary',
  R: 'preliminary',
  S: 'partial',
  I: 'registered',
  O: 'registered',
  X: 'cancelled',
};
// ORC-1 (HL7 table 0119) to RequestStatus.
const ORDER_STATUS: Readonly<Record<string, string>> = {
  NW: 'active',
  SC: 'active',
  XO: 'active',
  RE: 'completed',
  CM: 'completed',
  CA: 'revoked',
  OC: 'revoked',
  DC: 'revoked',
  HD: 'on-hold',
};
const COMPARATORS = new Set(['<', '<=', '>=', '>']);
// HL7 table 0078 flags that are also codes of v3 ObservationInterpretation.
const INTERPRETATION = new Set([
  'L',
  'H',
  'LL',
  'HH',
  '<',
  '>',
  'N',
  'A',
  'AA',
  'U',
  'D',
  'B',
  'W',
  'S',
  'R',
  'I',
  'MS',
  'VS',
  'NEG',
  'POS',
  'IND',
  'E',
  'EX',
  'HX',
  'LX',
  'NR',
  'ND',
]);
