import { IntegrityError, type IntegrityFailure } from './errors.ts';

// @aegle/crypto's stream errors, by their stable names, and what they mean for a fetched record.
const FAILURES: Record<string, IntegrityFailure> = {
  TamperedSegmentError: 'tampered',
  TruncatedStreamError: 'truncated',
  MalformedHeaderError: 'header',
  UnsupportedVersionError: 'header',
  WrongKeyError: 'header',
};

/**
 * A decryption failure of fetched ciphertext as an `IntegrityError` (the cause kept), or the
 * error unchanged if it is not about the ciphertext (an abort, a network error).
 */
export function integrityErrorFrom(error: unknown): unknown {
  const reason = error instanceof Error ? FAILURES[error.name] : undefined;
  return reason ? new IntegrityError(reason, { cause: error }) : error;
}
