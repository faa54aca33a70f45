import { BaseError } from '@aegle/errors';

/** A category or purpose label does not fit in 32 bytes, or is empty. */
export class LabelError extends BaseError {
  override name = 'LabelError';
}

/**
 * A short text (a category such as `Observation`, a purpose such as `treatment`) as a bytes32,
 * UTF-8, right-padded with zeros like a Solidity `bytes32` string literal. Kept readable in events.
 */
export function bytes32Label(text: string): `0x${string}` {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length === 0 || bytes.length > 32) {
    throw new LabelError(`a label must be 1 to 32 bytes of UTF-8, got ${bytes.length}`, {
      hint: 'use a short name such as a FHIR resource type or a purpose code',
    });
  }
  const padded = new Uint8Array(32);
  padded.set(bytes);
  let hex = '0x';
  for (const byte of padded) hex += byte.toString(16).padStart(2, '0');
  return hex as `0x${string}`;
}
