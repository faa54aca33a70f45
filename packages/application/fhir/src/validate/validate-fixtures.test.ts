// The shared fixtures: HL7's own R4 examples and Synthea bundles must pass; each invalid file must
// be rejected for the reason /work/shared/fixtures/SOURCES.md gives, at the location it names.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { OperationOutcomeIssue } from './operation-outcome.ts';
import { validateResource } from './validate-resource.ts';

const fixtures = new URL('../../../../../../shared/fixtures/', import.meta.url);

function filesIn(folder: string): string[] {
  return readdirSync(new URL(folder, fixtures))
    .filter((name) => name.endsWith('.json'))
    .sort();
}

function read(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, fixtures), 'utf8'));
}

/** The issues as `code expression: diagnostics` lines, sorted, for whole-list comparison. */
function describeIssues(issues: OperationOutcomeIssue[]): string[] {
  return issues
    .map((issue) => `${issue.code} ${issue.expression?.[0]}: ${issue.diagnostics}`)
    .sort();
}

describe('valid fixtures pass', () => {
  for (const folder of ['fhir/valid/', 'synthea/']) {
    const files = filesIn(folder);
    test(`${folder} holds fixtures`, () => assert.ok(files.length >= 2));
    for (const file of files) {
      test(`${folder}${file}`, () => {
        const { valid, outcome } = validateResource(read(`${folder}${file}`));
        assert.deepEqual(describeIssues(outcome.issue), [
          'informational undefined: No issues detected during validation',
        ]);
        assert.equal(valid, true);
      });
    }
  }
});

/** Per invalid fixture: exactly the issues expected, by code, location and diagnostics. */
const EXPECTED: Record<string, string[]> = {
  'documentreference-empty-array.json': [
    'structure DocumentReference.category[0].coding: Array cannot be empty: leave the property out instead',
  ],
  'encounter-reasoncode-object-not-array-and-status-code-not-in-required-valueset.json': [
    'code-invalid Encounter.status: The code is not in the required value set http://hl7.org/fhir/ValueSet/encounter-status of status',
    'structure Encounter.reasonCode: The property reasonCode must be a JSON array, not a JSON object',
  ],
  'location-id-invalid-characters.json': [
    'value Location.id: Not a valid id: expected 1 to 64 characters from A-Z, a-z, 0-9, "-" and "."',
  ],
  'media-attachment-data-invalid-base64.json': [
    'value Media.content.data: Not a valid Base64 value',
  ],
  'medicationrequest-missing-required-medication-and-datetime-without-timezone.json': [
    "required MedicationRequest.medication[x]: Missing required element 'medication[x]': minimum cardinality 1, found 0",
    'value MedicationRequest.authoredOn: Not a valid dateTime: if a date has a time, it must have a timezone (Z or +hh:mm)',
  ],
  'observation-missing-required-code-and-invalid-primitive-property.json': [
    "required Observation.code: Missing required element 'code': minimum cardinality 1, found 0",
    "structure Observation._valueInteger.value: Unrecognized property 'value'",
  ],
  'observation-missing-required-status.json': [
    "required Observation.status: Missing required element 'status': minimum cardinality 1, found 0",
  ],
  'observation-valuequantity-value-string-instead-of-decimal.json': [
    'structure Observation.valueQuantity.value: The decimal value must be a JSON number, not a JSON string',
  ],
  'patient-birthdate-invalid-date-format.json': [
    'value Patient.birthDate: Not a valid date: expected YYYY, YYYY-MM or YYYY-MM-DD',
  ],
  'patient-unknown-element.json': [
    "structure Patient.unknownElement: Unrecognized property 'unknownElement'",
  ],
  'patient-unknown-resourcetype.json': [
    "invalid resourceType: Unknown resourceType 'Pateint': not a FHIR R4 resource type",
  ],
};

/** Fails only FHIRPath invariant ras-2, which this validator does not evaluate (by design). */
const INVARIANT_ONLY = 'riskassessment-probability-over-100-invariant-ras-2.json';

/**
 * Every string value in a JSON document, for checking that no diagnostic repeats instance data.
 * resourceType is left out: a type name is named on purpose ("Unknown resourceType 'Pateint'").
 */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === 'resourceType' ? [] : strings(item),
  );
}

describe('invalid fixtures are rejected for their documented reason', () => {
  const files = filesIn('fhir/invalid/');
  test('every invalid fixture has an expectation here', () => {
    assert.deepEqual(files, [...Object.keys(EXPECTED), INVARIANT_ONLY].sort());
  });
  for (const [file, expected] of Object.entries(EXPECTED)) {
    test(file, () => {
      const json = read(`fhir/invalid/${file}`);
      const { valid, outcome } = validateResource(json);
      assert.equal(valid, false);
      assert.deepEqual(describeIssues(outcome.issue), [...expected].sort());
      for (const issue of outcome.issue) assert.equal(issue.severity, 'error');
      // Diagnostics describe the expected form; they never echo what the instance holds.
      const values = strings(json).filter((text) => text.length >= 4 && !text.includes('/'));
      for (const issue of outcome.issue) {
        for (const text of values)
          assert.ok(!issue.diagnostics.includes(text), `${file} echoes a value`);
      }
    });
  }
  test(`${INVARIANT_ONLY} passes: its only fault is FHIRPath invariant ras-2, out of scope`, () => {
    const { valid } = validateResource(read(`fhir/invalid/${INVARIANT_ONLY}`));
    assert.equal(valid, true);
  });
});
