import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseError } from '@aegle/errors';
import { assertValid } from './assert-valid.ts';
import { FhirValidationError } from './fhir-validation-error.ts';

test('a valid resource passes silently', () => {
  assert.doesNotThrow(() => assertValid({ resourceType: 'Patient', birthDate: '1970-01-01' }));
});

test('an invalid one throws FhirValidationError carrying the outcome, without the bad value', () => {
  const patient = { resourceType: 'Patient', birthDate: '01/02/1970', gender: 'secret-gender' };
  let thrown: unknown;
  try {
    assertValid(patient);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof FhirValidationError);
  assert.ok(thrown instanceof BaseError);
  assert.equal(thrown.name, 'FhirValidationError');
  assert.deepEqual(thrown.outcome.issue.map((issue) => issue.expression?.[0]).sort(), [
    'Patient.birthDate',
    'Patient.gender',
  ]);
  assert.match(thrown.shortMessage, /2 problem\(s\); first: Patient\.birthDate: Not a valid date/);
  assert.match(thrown.hint ?? '', /error\.outcome\.issue/);
  assert.doesNotMatch(thrown.message, /01\/02\/1970|secret-gender/);
});
