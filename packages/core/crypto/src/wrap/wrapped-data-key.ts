import { bytesToHex, parseHex } from '../bytes.ts';
import { InvalidWrappedKeyError } from '../errors.ts';
import {
  ENC_LENGTH,
  EXPORTED_KEY_FORMAT,
  WRAPPED_KEY_FORMAT,
  WRAPPED_LENGTH,
} from './hpke-suite.ts';

/**
 * A data key wrapped for one recipient: the HPKE encapsulated key and the sealed DEK. `format`:
 * WRAPPED_KEY_FORMAT (1, the default) when the DEK is HPKE's own sealed message (wrapDataKey);
 * EXPORTED_KEY_FORMAT (2) when `enc` is shared by a batch and the DEK is sealed with AES-256-GCM
 * under a key exported from its HPKE context for this record (createDataKeyWrapper).
 */
export type WrappedDataKey = {
  enc: Uint8Array;
  wrapped: Uint8Array;
  format?: typeof WRAPPED_KEY_FORMAT | typeof EXPORTED_KEY_FORMAT;
};

const ENCODED_LENGTH = 1 + ENC_LENGTH + WRAPPED_LENGTH;

/**
 * The compact serialised form: `0x` + hex of version(1) || enc(32) || wrapped(48), 81 bytes.
 * Hex with 0x so it can go straight into a contract call as `bytes`.
 */
export function encodeWrappedDataKey(key: WrappedDataKey): `0x${string}` {
  if (key.enc.length !== ENC_LENGTH || key.wrapped.length !== WRAPPED_LENGTH) {
    throw new InvalidWrappedKeyError('enc must be 32 bytes and wrapped 48 bytes');
  }
  if (
    key.format !== undefined &&
    key.format !== WRAPPED_KEY_FORMAT &&
    key.format !== EXPORTED_KEY_FORMAT
  ) {
    throw new InvalidWrappedKeyError(`unknown format ${key.format}`);
  }
  const out = new Uint8Array(ENCODED_LENGTH);
  out[0] = key.format ?? WRAPPED_KEY_FORMAT;
  out.set(key.enc, 1);
  out.set(key.wrapped, 1 + ENC_LENGTH);
  return `0x${bytesToHex(out)}`;
}

/** Parses `encodeWrappedDataKey`'s output; throws `InvalidWrappedKeyError` if malformed. */
export function decodeWrappedDataKey(encoded: string): WrappedDataKey {
  const bytes = parseHex(encoded, ENCODED_LENGTH);
  if (bytes === undefined || !encoded.startsWith('0x')) {
    throw new InvalidWrappedKeyError(`expected 0x followed by ${ENCODED_LENGTH * 2} hex digits`);
  }
  const format = bytes[0];
  if (format !== WRAPPED_KEY_FORMAT && format !== EXPORTED_KEY_FORMAT)
    throw new InvalidWrappedKeyError(`unknown format ${format}`);
  return {
    enc: bytes.slice(1, 1 + ENC_LENGTH),
    wrapped: bytes.slice(1 + ENC_LENGTH),
    format,
  };
}
