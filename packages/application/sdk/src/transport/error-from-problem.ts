import {
  GrantExpiredError,
  NodeProblemError,
  NotFoundError,
  NotGrantedError,
  type ProblemFields,
  QuotaExceededError,
  RateLimitedError,
  SessionError,
  SignatureRejectedError,
  WriterNotAllowedError,
} from './errors.ts';

/** Base of the node's problem `type` URIs; the rest is a stable slug. */
export const PROBLEM_BASE = 'https://aegle.dev/problems/';

/** An RFC 9457 problem details body as the node sends it. */
export type Problem = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  hint?: string;
  /** Machine-readable cause for some types (e.g. `grant-expired` under `not-granted`). */
  reason?: string;
  /** A refused batch write: the position of the record that caused it. */
  batchIndex?: number;
};

const BY_SLUG: Record<string, (fields: ProblemFields) => NodeProblemError> = {
  'not-granted': (f) =>
    f.reason === 'grant-expired' ? new GrantExpiredError(f) : new NotGrantedError(f),
  'grant-expired': (f) => new GrantExpiredError(f),
  'quota-exceeded': (f) => new QuotaExceededError(f),
  'writer-not-allowed': (f) => new WriterNotAllowedError(f),
  unauthorized: (f) => new SessionError(f),
  'session-expired': (f) => new SessionError(f),
  'sign-in-rejected': (f) => new SessionError(f),
  'invalid-signature': (f) => new SignatureRejectedError(f),
  'not-found': (f) => new NotFoundError(f),
  'record-not-found': (f) => new NotFoundError(f),
  'upload-not-found': (f) => new NotFoundError(f),
  'intent-not-found': (f) => new NotFoundError(f),
  'rate-limited': (f) => new RateLimitedError(f),
};

/**
 * The SDK error for a problem+json body from the node: typed errors for what a caller acts on
 * (`NotGrantedError`, `GrantExpiredError`, `QuotaExceededError`, …), and a `NodeProblemError`
 * carrying the node's own detail and hint for the rest. `status` is the HTTP status, used when
 * the body lacks one.
 */
export function errorFromProblem(problem: Problem, status?: number): NodeProblemError {
  const type = typeof problem.type === 'string' ? problem.type : 'about:blank';
  const fields: ProblemFields = {
    status: typeof problem.status === 'number' ? problem.status : (status ?? 0),
    type,
    reason: typeof problem.reason === 'string' ? problem.reason : undefined,
    batchIndex: Number.isSafeInteger(problem.batchIndex) ? problem.batchIndex : undefined,
  };
  const slug = type.startsWith(PROBLEM_BASE) ? type.slice(PROBLEM_BASE.length) : undefined;
  const make = slug === undefined ? undefined : BY_SLUG[slug];
  if (make) return make(fields);
  const detail = typeof problem.detail === 'string' && problem.detail ? problem.detail : undefined;
  const title = typeof problem.title === 'string' && problem.title ? problem.title : undefined;
  return new NodeProblemError(
    // The node's texts are fixed per type and never carry request data, so they may be shown.
    (detail ?? title ?? `The node answered with status ${fields.status}.`).slice(0, 300),
    {
      ...fields,
      hint:
        typeof problem.hint === 'string' && problem.hint
          ? problem.hint.slice(0, 300)
          : 'See the node’s GET /openapi.json for what this call expects.',
    },
  );
}
