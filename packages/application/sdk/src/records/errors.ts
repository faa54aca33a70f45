import { BaseError } from '@aegle/errors';

/** Why a record failed its integrity check. */
export type IntegrityFailure =
  /** The ciphertext's UnixFS root is not the anchored (or expected) content root. */
  | 'root-mismatch'
  /** A segment failed authentication: the ciphertext was altered. */
  | 'tampered'
  /** The ciphertext stopped early, or went on after its final segment. */
  | 'truncated'
  /** The stream header is malformed, or the data key does not match it (key commitment). */
  | 'header'
  /** The node stored or announced a different root than the one the client computed. */
  | 'node-root-mismatch'
  /** The encrypted metadata does not hash to the signed metadataHash. */
  | 'metadata-mismatch'
  /** The anchor entry the node gave is not the creator's signature over this record. */
  | 'bad-entry';

/**
 * The content is not what was anchored. Anything already yielded from the stream must be thrown
 * away: only a stream that ends without this error is the record.
 */
export class IntegrityError extends BaseError {
  override name = 'IntegrityError';
  readonly reason: IntegrityFailure;
  constructor(reason: IntegrityFailure, options: { cause?: unknown } = {}) {
    super(`The record failed its integrity check (${reason}).`, {
      hint: 'Discard what was received and fetch the record again, from another node if it repeats; report the node if it keeps serving it.',
      cause: options.cause,
    });
    this.reason = reason;
  }
}

/** An option given to prepareRecord, openRecord or wrapForGrantee is not usable. */
export class InvalidRecordOptionError extends BaseError {
  override name = 'InvalidRecordOptionError';
  constructor(option: string, reason: string) {
    super(`Invalid ${option}: ${reason}.`, {
      hint: 'Check the argument against the function’s documented types.',
    });
  }
}

/** The node released the record but holds no data key wrapped for this account. */
export class MissingWrappedKeyError extends BaseError {
  override name = 'MissingWrappedKeyError';
  constructor() {
    super('No data key of this record is wrapped for this account.', {
      hint: 'Ask the patient (or their guardian) to grant you the record again: a grant wraps the key for you.',
    });
  }
}
