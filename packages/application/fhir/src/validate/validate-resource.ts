import { type OperationOutcome, operationOutcome } from './operation-outcome.ts';
import { r4Model } from './r4-model.ts';
import { InstanceWalk } from './validate-instance.ts';

export type ValidationResult = {
  valid: boolean;
  /** Every problem found, or one informational issue when there is none. */
  outcome: OperationOutcome;
};

/**
 * Validates a FHIR R4 resource (a Bundle's entries and contained resources included) against the
 * R4 StructureDefinitions: resource type, unknown properties, cardinality, choice types, JSON types
 * and formats of primitives, `_name` companions, and codes of required value-set bindings that can
 * be expanded from the definitions. FHIRPath invariants are not evaluated.
 *
 * `input` is parsed JSON, or JSON text (as read from a file).
 */
export function validateResource(input: unknown): ValidationResult {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch {
      return {
        valid: false,
        outcome: operationOutcome([
          { severity: 'fatal', code: 'structure', diagnostics: 'The text is not well-formed JSON' },
        ]),
      };
    }
  }
  const walk = new InstanceWalk(r4Model());
  walk.resource(json, '');
  const issues = walk.result();
  return { valid: issues.length === 0, outcome: operationOutcome(issues) };
}
