// The FHIR R4 OperationOutcome, as far as validation fills it in. Kept minimal and local (no
// dependency on a FHIR type package): these are the only FHIR types the validator exposes.

/** OperationOutcome.issue.severity (required binding `issue-severity`). */
export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/** The OperationOutcome.issue.code values (required binding `issue-type`) this validator uses. */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'code-invalid'
  | 'too-costly'
  | 'informational';

export type OperationOutcomeIssue = {
  severity: IssueSeverity;
  code: IssueType;
  /** What is wrong, in words. Never quotes the offending value: it may be patient data. */
  diagnostics: string;
  /** Where: one FHIRPath-style location, e.g. `Bundle.entry[3].resource.status`. */
  expression?: string[];
};

export type OperationOutcome = {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
};

/** An OperationOutcome needs at least one issue (1..*): a clean result says so in one. */
export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  if (issues.length > 0) return { resourceType: 'OperationOutcome', issue: issues };
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'information',
        code: 'informational',
        diagnostics: 'No issues detected during validation',
      },
    ],
  };
}
