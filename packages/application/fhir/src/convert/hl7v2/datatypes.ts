// HL7 v2 composite data types (CX, XPN, XAD, XTN, CWE/CE, HD) to their FHIR R4 counterparts,
// following the HL7 v2-to-FHIR mapping guide where it makes a choice.
import type { CodeableConcept, Coding, Identifier } from '../fhir-types.ts';
import { componentOf, type Hl7Message } from './parse-message.ts';

// Coding-system names used in CWE/CE components 3 and 6, mapped to their FHIR URIs. An unknown
// (local) system is not turned into a made-up URI: the code keeps its display and the
// CodeableConcept keeps its text.
const CODE_SYSTEMS: Readonly<Record<string, string>> = {
  LN: 'http://loinc.org',
  LNC: 'http://loinc.org',
  SCT: 'http://snomed.info/sct',
  SNM: 'http://snomed.info/sct',
  I10: 'http://hl7.org/fhir/sid/icd-10',
  I10C: 'http://hl7.org/fhir/sid/icd-10-cm',
  I9: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9CDX: 'http://hl7.org/fhir/sid/icd-9-cm',
  UCUM: 'http://unitsofmeasure.org',
  CVX: 'http://hl7.org/fhir/sid/cvx',
  MVX: 'http://hl7.org/fhir/sid/mvx',
  NDC: 'http://hl7.org/fhir/sid/ndc',
  RXNORM: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  CPT: 'http://www.ama-assn.org/go/cpt',
  C4: 'http://www.ama-assn.org/go/cpt',
  DCM: 'http://dicom.nema.org/resources/ontology/DCM',
  CDCREC: 'urn:oid:2.16.840.1.113883.6.238',
  NCIT: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl',
};

export function codeSystemUri(name: string): string | undefined {
  const known = CODE_SYSTEMS[name];
  if (known !== undefined) return known;
  // HL7 tables: HL70078 (and the v2.x spelling HL7nnnn) live under terminology.hl7.org.
  const table = /^HL7(\d{4})$/.exec(name);
  if (table !== null) return `http://terminology.hl7.org/CodeSystem/v2-${table[1]}`;
  return undefined;
}

function coding(code: string, display: string, systemName: string): Coding | undefined {
  if (code === '' && display === '') return undefined;
  const result: Coding = {};
  const system = codeSystemUri(systemName);
  if (system !== undefined) result.system = system;
  if (code !== '') result.code = code;
  if (display !== '') result.display = display;
  return result;
}

/** CWE/CE (code^text^system^altCode^altText^altSystem^...^originalText) to a CodeableConcept. */
export function cweToCodeableConcept(
  message: Hl7Message,
  repetition: string,
): CodeableConcept | undefined {
  const c = (n: number) => componentOf(message, repetition, n);
  const codings = [coding(c(1), c(2), c(3)), coding(c(4), c(5), c(6))].filter(
    (x): x is Coding => x !== undefined,
  );
  const text = c(9) || c(2) || c(5);
  if (codings.length === 0 && text === '') return undefined;
  const concept: CodeableConcept = {};
  if (codings.length > 0) concept.coding = codings;
  if (text !== '') concept.text = text;
  return concept;
}

/** HD (namespace^universalId^universalIdType): an ISO OID becomes urn:oid:, a UUID urn:uuid:. */
export function hdToSystem(universalId: string, type: string): string | undefined {
  if (universalId !== '' && /^(ISO)?$/.test(type) && /^[0-2](\.(0|[1-9]\d*))+$/.test(universalId)) {
    return `urn:oid:${universalId}`;
  }
  if (universalId !== '' && /^(GUID|UUID)$/.test(type) && /^[0-9a-f-]{36}$/i.test(universalId)) {
    return `urn:uuid:${universalId.toLowerCase()}`;
  }
  if (/^(URI|URL)$/.test(type) && /^[a-z][a-z0-9+.-]*:/i.test(universalId)) return universalId;
  return undefined;
}

const IDENTIFIER_TYPE = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** CX (id^check digit^scheme^assigning authority^type^assigning facility^...) to an Identifier. */
export function cxToIdentifier(message: Hl7Message, repetition: string): Identifier | undefined {
  const value = componentOf(message, repetition, 1);
  if (value === '') return undefined;
  const identifier: Identifier = {};
  const typeCode = componentOf(message, repetition, 5);
  if (typeCode !== '') identifier.type = { coding: [{ system: IDENTIFIER_TYPE, code: typeCode }] };
  const namespace = componentOf(message, repetition, 4, 1);
  const system = hdToSystem(
    componentOf(message, repetition, 4, 2),
    componentOf(message, repetition, 4, 3),
  );
  if (system !== undefined) identifier.system = system;
  identifier.value = value;
  if (namespace !== '') identifier.assigner = { display: namespace };
  return identifier;
}

const NAME_USE: Readonly<Record<string, string>> = {
  L: 'official',
  D: 'usual',
  M: 'maiden',
  N: 'nickname',
  A: 'usual',
  S: 'anonymous',
  T: 'temp',
};

/** XPN (family&...^given^middle^suffix^prefix^degree^type) to a HumanName. */
export function xpnToHumanName(
  message: Hl7Message,
  repetition: string,
): Record<string, unknown> | undefined {
  const c = (n: number, s = 1) => componentOf(message, repetition, n, s);
  const family = c(1);
  const given = [c(2), c(3)].filter((x) => x !== '');
  const name: Record<string, unknown> = {};
  const use = NAME_USE[c(7)];
  if (use !== undefined) name.use = use;
  if (family !== '') name.family = family;
  if (given.length > 0) name.given = given;
  if (c(5) !== '') name.prefix = [c(5)];
  const suffix = [c(4), c(6)].filter((x) => x !== '');
  if (suffix.length > 0) name.suffix = suffix;
  if (family === '' && given.length === 0) return undefined;
  return name;
}

const ADDRESS_USE: Readonly<Record<string, { use?: string; type?: string }>> = {
  H: { use: 'home' },
  B: { use: 'work' },
  O: { use: 'work' },
  C: { use: 'temp' },
  BA: { use: 'old' },
  M: { type: 'postal' },
  P: { use: 'home', type: 'physical' },
};

/** XAD (street&...^other^city^state^zip^country^type^...) to an Address. */
export function xadToAddress(
  message: Hl7Message,
  repetition: string,
): Record<string, unknown> | undefined {
  const c = (n: number, s = 1) => componentOf(message, repetition, n, s);
  const address: Record<string, unknown> = {};
  Object.assign(address, ADDRESS_USE[c(7)] ?? {});
  // SAD sub-components (street or mailing address & street name & dwelling number) form one line.
  const street = (repetition.split(message.delimiters.component)[0] ?? '')
    .split(message.delimiters.subcomponent ?? '\u0000')
    .map((_, index) => componentOf(message, repetition, 1, index + 1))
    .filter((x) => x !== '')
    .join(' ');
  const lines = [street, c(2)].filter((x) => x !== '');
  if (lines.length > 0) address.line = lines;
  if (c(3) !== '') address.city = c(3);
  if (c(9) !== '') address.district = c(9);
  if (c(4) !== '') address.state = c(4);
  if (c(5) !== '') address.postalCode = c(5);
  if (c(6) !== '') address.country = c(6);
  if (lines.length === 0 && address.city === undefined && address.postalCode === undefined)
    return undefined;
  return address;
}

const TELECOM_USE: Readonly<Record<string, string>> = {
  PRN: 'home',
  ORN: 'home',
  VHN: 'home',
  WPN: 'work',
  PRS: 'mobile',
  EMR: 'temp',
};

/** XTN ([number]^use^equipment^email^country^area^local^extension^...) to a ContactPoint. */
export function xtnToContactPoint(
  message: Hl7Message,
  repetition: string,
  defaultUse: string,
): Record<string, unknown> | undefined {
  const c = (n: number) => componentOf(message, repetition, n);
  const equipment = c(3);
  const email = c(4);
  const point: Record<string, unknown> = {};
  if (equipment === 'Internet' || equipment === 'X.400' || c(2) === 'NET') {
    if (email === '' && c(1) === '') return undefined;
    point.system = 'email';
    point.value = email || c(1);
  } else {
    const built = [c(5) === '' ? '' : `+${c(5)}`, c(6) === '' ? '' : `(${c(6)})`, c(7)]
      .filter((x) => x !== '')
      .join(' ');
    // Unformatted number (XTN-12) first, then the structured parts, then the legacy XTN-1.
    const value = c(12) || (c(7) !== '' ? built + (c(8) === '' ? '' : ` ext. ${c(8)}`) : c(1));
    if (value === '') return undefined;
    point.system = equipment === 'FX' ? 'fax' : equipment === 'BP' ? 'pager' : 'phone';
    point.value = value;
  }
  point.use = equipment === 'CP' ? 'mobile' : (TELECOM_USE[c(2)] ?? defaultUse);
  return point;
}
