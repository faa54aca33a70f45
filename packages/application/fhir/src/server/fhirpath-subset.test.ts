import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkPathTerm,
  compileFhirPath,
  evaluateFhirPath,
  referenceTarget,
  UnsupportedFhirPathError,
} from './fhirpath-subset.ts';

test('compiles unions, parentheses, ofType and where(resolve() is T)', () => {
  assert.deepEqual(
    compileFhirPath(
      'Condition.subject.where(resolve() is Patient) | (MedicationRequest.medication.ofType(CodeableConcept))',
    ),
    [
      {
        root: 'Condition',
        steps: [
          { kind: 'child', name: 'subject' },
          { kind: 'resolveIs', type: 'Patient' },
        ],
      },
      {
        root: 'MedicationRequest',
        steps: [
          { kind: 'child', name: 'medication' },
          { kind: 'ofType', type: 'CodeableConcept' },
        ],
      },
    ],
  );
});

test('refuses what it does not evaluate, and paths the R4 model does not have', () => {
  for (const expression of [
    "Observation.extension('x')",
    'Observation.code.exists()',
    'Observation.value as Quantity',
    'Observation.code = 1',
  ]) {
    assert.throws(() => compileFhirPath(expression), UnsupportedFhirPathError, expression);
  }
  for (const expression of [
    'Observation.noSuchElement',
    'Observation.effective.ofType(Quantity)',
    'Observation.code.where(resolve() is Patient)',
  ]) {
    const [term] = compileFhirPath(expression);
    assert.ok(term);
    assert.throws(() => checkPathTerm(term), UnsupportedFhirPathError, expression);
  }
});

test('navigates choice elements, arrays and backbone elements, with their types', () => {
  const observation = {
    resourceType: 'Observation',
    effectivePeriod: { start: '2013' },
    component: [{ code: { text: 'a' } }, { code: { text: 'b' } }],
    subject: { reference: 'Group/1' },
  };
  assert.deepEqual(evaluateFhirPath(compileFhirPath('Observation.effective'), observation), [
    { value: { start: '2013' }, type: 'Period' },
  ]);
  assert.deepEqual(
    evaluateFhirPath(compileFhirPath('Observation.component.code'), observation).map(
      (node) => node.type,
    ),
    ['CodeableConcept', 'CodeableConcept'],
  );
  assert.deepEqual(
    evaluateFhirPath(compileFhirPath('Observation.effective.ofType(dateTime)'), observation),
    [],
  );
  // Only Patient references pass where(resolve() is Patient); terms of other types give nothing.
  const subject = compileFhirPath(
    'Observation.subject.where(resolve() is Patient) | Condition.subject',
  );
  assert.deepEqual(evaluateFhirPath(subject, observation), []);
  assert.equal(
    evaluateFhirPath(subject, {
      ...observation,
      subject: { reference: 'http://x/fhir/Patient/7/_history/2' },
    }).length,
    1,
  );
  assert.equal(
    evaluateFhirPath(subject, { ...observation, subject: { type: 'Patient', display: 'd' } })
      .length,
    1,
  );
});

test('reference targets: relative, absolute, versioned; not urn: or contained', () => {
  assert.deepEqual(referenceTarget('Patient/1'), { type: 'Patient', id: '1' });
  assert.deepEqual(referenceTarget('https://h/fhir/Patient/a-b.c/_history/3'), {
    type: 'Patient',
    id: 'a-b.c',
  });
  assert.equal(referenceTarget('urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0'), undefined);
  assert.equal(referenceTarget('#p1'), undefined);
});
