import { FhirValidationError } from './fhir-validation-error.ts';
import { validateResource } from './validate-resource.ts';

/** Validates like `validateResource` and throws `FhirValidationError` when the resource is invalid. */
export function assertValid(input: unknown): void {
  const { valid, outcome } = validateResource(input);
  if (!valid) throw new FhirValidationError(outcome);
}
