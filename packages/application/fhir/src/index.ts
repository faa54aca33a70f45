// Public API of @aegle/fhir.
// Validation against the official FHIR R4 definitions (docs/FHIR.md, "Validation").
export { assertValid } from './validate/assert-valid.ts';
export { FhirDefinitionsError } from './validate/fhir-definitions-error.ts';
export { FhirValidationError } from './validate/fhir-validation-error.ts';
export type {
  IssueSeverity,
  IssueType,
  OperationOutcome,
  OperationOutcomeIssue,
} from './validate/operation-outcome.ts';
export { type ValidationResult, validateResource } from './validate/validate-resource.ts';
