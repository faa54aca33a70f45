// The parts of the R4 conformance resources (StructureDefinition, ValueSet, CodeSystem) that the
// validator reads. Shapes follow the R4 JSON; only the fields used here are declared.

/** On a System.* type code: the FHIR type the element really has (e.g. `uri` for Extension.url). */
export const FHIR_TYPE_EXTENSION =
  'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

export type Extension = { url: string; valueUrl?: string; valueString?: string };

export type ElementType = {
  code: string;
  extension?: Extension[];
};

export type ElementDefinition = {
  id?: string;
  path: string;
  min?: number;
  max?: string;
  base?: { path: string };
  representation?: string[];
  type?: ElementType[];
  contentReference?: string;
  binding?: { strength: string; valueSet?: string };
};

export type StructureDefinition = {
  resourceType: 'StructureDefinition';
  id: string;
  url: string;
  name: string;
  kind: 'primitive-type' | 'complex-type' | 'resource' | 'logical';
  abstract: boolean;
  type: string;
  baseDefinition?: string;
  derivation?: 'specialization' | 'constraint';
  snapshot: { element: ElementDefinition[] };
};

export type CodeSystemConcept = { code: string; concept?: CodeSystemConcept[] };

export type CodeSystem = {
  resourceType: 'CodeSystem';
  url: string;
  content?: string;
  concept?: CodeSystemConcept[];
};

export type ValueSetInclude = {
  system?: string;
  concept?: { code: string }[];
  filter?: unknown[];
  valueSet?: string[];
};

export type ValueSet = {
  resourceType: 'ValueSet';
  url: string;
  compose?: { include: ValueSetInclude[]; exclude?: ValueSetInclude[] };
};

export type Bundle<T> = { resourceType: 'Bundle'; entry?: { resource?: T }[] };
