import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ComplexModel, PrimitiveModel } from './compile-model.ts';
import { FhirDefinitionsError } from './fhir-definitions-error.ts';
import { r4Model } from './r4-model.ts';

test('a type is compiled once and kept', () => {
  const model = r4Model();
  assert.equal(model.type('Patient'), model.type('Patient'));
});

test('choice elements become one property per type, grouped', () => {
  const observation = r4Model().type('Observation') as ComplexModel;
  const group = observation.choices.find((choice) => choice.name === 'value[x]');
  assert.ok(group?.members.includes('valueQuantity'));
  assert.ok(group?.members.includes('valueSampledData'));
  assert.equal(observation.properties.get('valueQuantity')?.choice, group);
});

test('primitives take JSON kind and pattern from their StructureDefinition', () => {
  const positiveInt = r4Model().type('positiveInt') as PrimitiveModel;
  assert.equal(positiveInt.json, 'number');
  assert.equal(positiveInt.int32, true);
  assert.equal(positiveInt.pattern?.test('0'), false);
  const date = r4Model().type('date') as PrimitiveModel;
  assert.equal(date.json, 'string');
  assert.equal(date.int32, false);
  assert.deepEqual([...date.element.properties.keys()].sort(), ['extension', 'id']);
});

test('an unknown type name is a definitions error, with a hint', () => {
  assert.throws(
    () => r4Model().type('NoSuchType'),
    (error) => error instanceof FhirDefinitionsError && /NoSuchType/.test(error.message),
  );
});
