// The few FHIR R4 shapes the converters build. They are deliberately loose (any other element is
// allowed): the authority on what is valid is validateResource, which checks against the official
// R4 StructureDefinitions, not these types.

export type Coding = { system?: string; version?: string; code?: string; display?: string };
export type CodeableConcept = { coding?: Coding[]; text?: string };
export type Identifier = {
  use?: string;
  type?: CodeableConcept;
  system?: string;
  value?: string;
  period?: Period;
  assigner?: Reference;
};
export type Reference = {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
};
export type Period = { start?: string; end?: string };
export type Quantity = {
  value?: number;
  comparator?: string;
  unit?: string;
  system?: string;
  code?: string;
};

export type Resource = { resourceType: string; id?: string; [element: string]: unknown };

export type BundleEntry = {
  fullUrl: string;
  resource: Resource;
  request: { method: 'POST' | 'PUT'; url: string };
};
export type Bundle = {
  resourceType: 'Bundle';
  id: string;
  type: 'transaction';
  entry: BundleEntry[];
};

/** What every whole-file converter returns: the resources as one transaction plus what it left out. */
export type ConversionResult = {
  bundle: Bundle;
  /** Human-readable notes on what was not converted and why (segment names, record types, counts). */
  skipped: string[];
};
