import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadR4Definitions } from './load-r4-definitions.ts';

test('the definitions are kept without their narratives, and with everything validation reads', () => {
  const { structures, valueSets, codeSystems } = loadR4Definitions();
  const all = [...structures.values(), ...valueSets.values(), ...codeSystems.values()];
  assert.ok(all.length > 1000);
  assert.deepEqual(
    all.filter((resource) => 'text' in resource).map((resource) => resource.url),
    [],
    'a narrative was kept',
  );
  assert.ok(structures.get('Patient')?.snapshot.element.some((e) => e.path === 'Patient.gender'));
  const genders = codeSystems.get('http://hl7.org/fhir/administrative-gender');
  assert.deepEqual(
    genders?.concept?.map((concept) => concept.code),
    ['male', 'female', 'other', 'unknown'],
  );
});
