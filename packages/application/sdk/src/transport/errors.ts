import { BaseError } from '@aegle/errors';

/**
 * A problem the node reported (RFC 9457). Every SDK error mapped from a response extends this,
 * so a caller can catch node failures as one kind and still tell them apart by `name`.
 */
export class NodeProblemError extends BaseError {
  override name = 'NodeProblemError';
  /** The HTTP status. */
  readonly status: number;
  /** The problem's stable `type` URI, e.g. `https://aegle.dev/problems/not-granted`. */
  readonly type: string;
  /** The node's machine-readable reason, when it gives one (e.g. `grant-expired`). */
  readonly reason: string | undefined;
  /** For a refused batch write: the position of the record that caused it. */
  readonly batchIndex: number | undefined;
  constructor(message: string, options: ProblemFields & { hint?: string }) {
    super(message, { hint: options.hint });
    this.status = options.status;
    this.type = options.type;
    this.reason = options.reason;
    this.batchIndex = options.batchIndex;
  }
}

/** What every problem error carries from the node's answer (see errorFromProblem). */
export type ProblemFields = {
  status: number;
  type: string;
  reason?: string | undefined;
  batchIndex?: number | undefined;
};

/** No live grant allows this read (none, revoked, or for another category). */
export class NotGrantedError extends NodeProblemError {
  override name = 'NotGrantedError';
  constructor(fields: ProblemFields) {
    super('No live grant allows this read.', {
      ...fields,
      hint: 'Ask the patient (or their guardian) for a grant on this record or its category.',
    });
  }
}

/** A grant existed but its time is up. */
export class GrantExpiredError extends NodeProblemError {
  override name = 'GrantExpiredError';
  constructor(fields: ProblemFields) {
    super('The grant for this read has expired.', {
      ...fields,
      hint: 'Ask the patient (or their guardian) to renew the grant.',
    });
  }
}

/** The account's storage quota cannot hold this record. */
export class QuotaExceededError extends NodeProblemError {
  override name = 'QuotaExceededError';
  constructor(fields: ProblemFields) {
    super('The storage quota cannot hold this record.', {
      ...fields,
      hint: 'Free space by deleting superseded records, or ask the node operator for a larger quota.',
    });
  }
}

/** This account may not create records for this patient (e.g. an uncertified provider). */
export class WriterNotAllowedError extends NodeProblemError {
  override name = 'WriterNotAllowedError';
  constructor(fields: ProblemFields) {
    super('This account may not create records for this patient.', {
      ...fields,
      hint: 'Only the patient, their guardian, or a provider certified by an authority may create records.',
    });
  }
}

/** The session is missing, expired or refused. */
export class SessionError extends NodeProblemError {
  override name = 'SessionError';
  constructor(fields: ProblemFields) {
    super('The node needs a valid session for this call.', {
      ...fields,
      hint: 'Sign in again (Sign-In with Ethereum), then retry.',
    });
  }
}

/** The node refused a signature (forged, replayed, expired or for another chain). */
export class SignatureRejectedError extends NodeProblemError {
  override name = 'SignatureRejectedError';
  constructor(fields: ProblemFields) {
    super('The node refused the signature.', {
      ...fields,
      hint: 'Sign the request again with a fresh nonce and deadline, for this node’s chain and contracts.',
    });
  }
}

/** No such record (or upload, or intent) on this node. */
export class NotFoundError extends NodeProblemError {
  override name = 'NotFoundError';
  constructor(fields: ProblemFields) {
    super('The node has no such record, upload or intent.', {
      ...fields,
      hint: 'Check the id; an upload must be committed before it expires.',
    });
  }
}

/** The node is rate limiting this client. */
export class RateLimitedError extends NodeProblemError {
  override name = 'RateLimitedError';
  constructor(fields: ProblemFields) {
    super('The node is rate limiting this client.', {
      ...fields,
      hint: 'Wait a moment and retry, with fewer requests at once.',
    });
  }
}

/** The node could not be reached, or answered something that is not this API. */
export class NodeUnreachableError extends BaseError {
  override name = 'NodeUnreachableError';
  constructor(what: string, options: { cause?: unknown } = {}) {
    super(`The node could not be used: ${what}.`, {
      hint: 'Check the node URL (--node or AEGLE_NODE) and that the node is running.',
      cause: options.cause,
    });
  }
}
