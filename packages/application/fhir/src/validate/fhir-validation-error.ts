import { BaseError } from '@aegle/errors';
import type { OperationOutcome } from './operation-outcome.ts';

/** A resource did not conform to FHIR R4; `outcome` lists every problem and its location. */
export class FhirValidationError extends BaseError {
  override name = 'FhirValidationError';
  readonly outcome: OperationOutcome;

  /** The file the resource came from, when the caller named it. */
  readonly file: string | undefined;

  constructor(outcome: OperationOutcome, options: { file?: string | undefined } = {}) {
    const problems = outcome.issue.filter(
      (issue) => issue.severity === 'error' || issue.severity === 'fatal',
    );
    const first = problems[0];
    const where = first?.expression?.[0];
    // The issues never quote instance values, so the first one is safe to put in the message.
    const summary = first ? `; first: ${where ? `${where}: ` : ''}${first.diagnostics}` : '';
    const subject =
      options.file === undefined ? 'The resource' : `The resource in file "${options.file}"`;
    super(`${subject} is not valid FHIR R4 (${problems.length} problem(s)${summary})`, {
      hint: 'Each entry of error.outcome.issue names a location (expression) and what is wrong there; fix those and validate again.',
    });
    this.outcome = outcome;
    this.file = options.file;
  }
}
