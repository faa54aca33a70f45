import { BaseError } from '@aegle/errors';

/** An OperationOutcome as the server answers it (any R4 issue-type code). */
export type ServerOutcome = {
  resourceType: 'OperationOutcome';
  issue: { severity: string; code: string; diagnostics: string; expression?: string[] }[];
};

/**
 * A request the FHIR server refuses, with the HTTP status and the OperationOutcome it answers.
 * Diagnostics name parameters and locations, never the values sent (they may be patient data).
 */
export class FhirRequestError extends BaseError {
  override name = 'FhirRequestError';
  readonly status: number;
  readonly outcome: ServerOutcome;

  constructor(
    status: number,
    code: string,
    diagnostics: string,
    options: { expression?: string[]; outcome?: ServerOutcome; hint?: string } = {},
  ) {
    super(diagnostics, { hint: options.hint });
    this.status = status;
    this.outcome = options.outcome ?? {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code,
          diagnostics,
          ...(options.expression ? { expression: options.expression } : {}),
        },
      ],
    };
  }
}

/** A data source was asked to create a resource whose type and id already exist. */
export class DuplicateResourceError extends BaseError {
  override name = 'DuplicateResourceError';

  constructor(resourceType: string) {
    super(`A ${resourceType} with that id is already stored`, {
      hint: 'Create never overwrites: give the resource a new id, or let the server assign one.',
    });
  }
}
