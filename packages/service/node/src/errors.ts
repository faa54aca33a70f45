import { BaseError } from '@aegle/errors';

/** Base of every problem the node's API reports as RFC 9457 problem+json. */
export const PROBLEM_BASE = 'https://aegle.dev/problems/';

/**
 * An error the API turns into a problem+json response: `slug` makes the stable `type` URI,
 * `status` the HTTP status, `title` a fixed summary per type. Messages (the `detail`) never carry
 * patient data, keys or tokens: only the kind of failure and what to do about it.
 */
export class ApiError extends BaseError {
  override name = 'ApiError';
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  /** For a refusal of a whole batch: the position of the record that caused it. */
  batchIndex?: number;
  constructor(
    status: number,
    slug: string,
    title: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
    this.status = status;
    this.slug = slug;
    this.title = title;
  }
  get type(): string {
    return `${PROBLEM_BASE}${this.slug}`;
  }
}

export class UnauthorizedError extends ApiError {
  override name = 'UnauthorizedError';
  constructor(
    message = 'This call needs a session.',
    hint = 'Sign in with POST /auth/nonce and POST /auth/siwe, then send "Authorization: Bearer <token>".',
  ) {
    super(401, 'unauthorized', 'Unauthorized', message, { hint });
  }
}

export class SessionExpiredError extends ApiError {
  override name = 'SessionExpiredError';
  constructor() {
    super(
      401,
      'session-expired',
      'Session expired',
      'The session has expired or was never issued.',
      {
        hint: 'Sign in again with POST /auth/nonce and POST /auth/siwe.',
      },
    );
  }
}

/** The SIWE message or its signature was refused; `reason` is a stable code, never the message. */
export class SignInRejectedError extends ApiError {
  override name = 'SignInRejectedError';
  readonly reason: string;
  constructor(reason: string, hint: string) {
    super(401, 'sign-in-rejected', 'Sign-in rejected', `The sign-in was refused (${reason}).`, {
      hint,
    });
    this.reason = reason;
  }
}

/** A signed request (EIP-712) whose signature does not match its declared signer. */
export class InvalidSignatureError extends ApiError {
  override name = 'InvalidSignatureError';
  constructor(what: string) {
    super(
      401,
      'invalid-signature',
      'Invalid signature',
      `The signature of the ${what} is not valid.`,
      {
        hint: 'Sign the request again with the account that sends it, for this chain and contract.',
      },
    );
  }
}

export class ForbiddenError extends ApiError {
  override name = 'ForbiddenError';
  constructor(message: string, hint: string) {
    super(403, 'forbidden', 'Forbidden', message, { hint });
  }
}

/** A reader without a live grant for the record or its category. */
export class NotGrantedError extends ApiError {
  override name = 'NotGrantedError';
  readonly reason: string;
  constructor(reason: string) {
    super(403, 'not-granted', 'Not granted', `No live grant allows this read (${reason}).`, {
      hint: 'Ask the patient (or their guardian) for a grant on this record or its category.',
    });
    this.reason = reason;
  }
}

/** A creator who may not write records for this patient (for example an uncertified provider). */
export class WriterNotAllowedError extends ApiError {
  override name = 'WriterNotAllowedError';
  readonly reason: string;
  constructor(reason: string) {
    super(
      403,
      'writer-not-allowed',
      'Writer not allowed',
      `This account may not create records for this patient (${reason}).`,
      {
        hint: 'Only the patient, their guardian, or a provider certified by an authority may create records.',
      },
    );
    this.reason = reason;
  }
}

export class RecordNotFoundError extends ApiError {
  override name = 'RecordNotFoundError';
  constructor() {
    super(404, 'record-not-found', 'Record not found', 'No record with this id is stored here.', {
      hint: 'Check the record id, or list records with GET /records?patient=…',
    });
  }
}

export class RecordExistsError extends ApiError {
  override name = 'RecordExistsError';
  constructor() {
    super(
      409,
      'record-exists',
      'Record exists',
      'A record with this id is already stored; records never change.',
      {
        hint: 'Use a new record id; to update, create a record that supersedes this one.',
      },
    );
  }
}

export class UploadNotFoundError extends ApiError {
  override name = 'UploadNotFoundError';
  constructor() {
    super(
      404,
      'upload-not-found',
      'Upload not found',
      'No open upload with this id for this session.',
      {
        hint: 'Start again with POST /records; an upload ticket expires after a while and is single-use.',
      },
    );
  }
}

export class IntentNotFoundError extends ApiError {
  override name = 'IntentNotFoundError';
  constructor() {
    super(404, 'intent-not-found', 'Intent not found', 'No on-chain intent with this id.', {
      hint: 'Use the id returned when the request was accepted.',
    });
  }
}

export class QuotaExceededApiError extends ApiError {
  override name = 'QuotaExceededApiError';
  constructor() {
    super(
      413,
      'quota-exceeded',
      'Quota exceeded',
      "The patient's storage quota cannot hold this record.",
      {
        hint: 'Free space by deleting records, or raise the quota, then retry.',
      },
    );
  }
}

export class InvalidRequestError extends ApiError {
  override name = 'InvalidRequestError';
  constructor(message: string, hint = 'Fix the request as described and send it again.') {
    super(400, 'invalid-request', 'Invalid request', message, { hint });
  }
}

export class SizeMismatchApiError extends ApiError {
  override name = 'SizeMismatchApiError';
  constructor() {
    super(
      400,
      'size-mismatch',
      'Size mismatch',
      'The body length differs from the size declared for the upload.',
      {
        hint: 'Send exactly the number of bytes declared in POST /records.',
      },
    );
  }
}

export class PayloadTooLargeError extends ApiError {
  override name = 'PayloadTooLargeError';
  constructor() {
    super(
      413,
      'payload-too-large',
      'Payload too large',
      'The request body is larger than this endpoint accepts.',
      {
        hint: 'Send a smaller body; record content is streamed to POST /uploads.',
      },
    );
  }
}

export class RateLimitedError extends ApiError {
  override name = 'RateLimitedError';
  constructor() {
    super(429, 'rate-limited', 'Too many requests', 'Too many requests from this client.', {
      hint: 'Wait for the time in the Retry-After header, then retry.',
    });
  }
}

export class NotFoundError extends ApiError {
  override name = 'NotFoundError';
  constructor() {
    super(404, 'not-found', 'Not found', 'No such endpoint.', {
      hint: 'See GET /openapi.json for the API.',
    });
  }
}

export class StorageUnavailableError extends ApiError {
  override name = 'StorageUnavailableError';
  constructor(cause?: unknown) {
    super(507, 'storage-full', 'Storage full', 'The node has no room left to store this record.', {
      hint: 'Retry later or on another node; the operator has been told by the logs.',
      cause,
    });
  }
}

/** The client closed the connection mid-request (logged at info: not the node's fault). */
export class ClientGoneError extends ApiError {
  override name = 'ClientGoneError';
  constructor() {
    super(
      499,
      'client-closed-request',
      'Client closed request',
      'The client went away before the request was complete.',
      {
        hint: 'Send the request again; nothing of the interrupted upload was kept.',
      },
    );
  }
}

export class InternalError extends ApiError {
  override name = 'InternalError';
  constructor() {
    super(500, 'internal', 'Internal error', 'The node failed to handle this request.', {
      hint: 'Retry; if it persists, the node operator can find the cause in the logs.',
    });
  }
}

/** Raised by the node's own code (not the API) when it is misused, e.g. a bad option. */
export class NodeConfigError extends BaseError {
  override name = 'NodeConfigError';
}
