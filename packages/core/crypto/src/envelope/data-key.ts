import { randomBytes } from '../bytes.ts';
import { InvalidDataKeyError } from '../errors.ts';
import { DATA_KEY_LENGTH } from './format.ts';

/** A fresh random 256-bit data key (DEK). Each record gets its own. */
export function generateDataKey(): Uint8Array {
  return randomBytes(DATA_KEY_LENGTH);
}

export function assertDataKey(dataKey: Uint8Array): void {
  if (!(dataKey instanceof Uint8Array) || dataKey.length !== DATA_KEY_LENGTH) {
    throw new InvalidDataKeyError(dataKey instanceof Uint8Array ? dataKey.length : 0);
  }
}
