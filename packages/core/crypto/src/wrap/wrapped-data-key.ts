import { bytesToHex, parseHex } from '../bytes.ts';
import { InvalidWrappedKeyError } from '../errors.ts';
import { ENC_LENGTH, WRAPPED_KEY_FORMAT, WRAPPED_LENGTH } from './hpke-suite.ts';

/** A data key wrapped for one recipient: the HPKE encapsulated key and the sealed DEK. */
export type WrappedDataKey = { enc: Uint8Array; wrapped: Uint8Array };

const ENCODED_LENGTH = 1 + ENC_LENGTH + WRAPPED_LENGTH;

/**
 * The compact serialised form: `0x` + hex of version(1) || enc(32) || wrapped(48), 81 bytes.
 * Hex with 0x so it can go straight into a contract call as `bytes`.
 */
export function encodeWrappedDataKey(key: WrappedDataKey): `0x${string}` {
  if (key.enc.length !== ENC_LENGTH || key.wrapped.length !== WRAPPED_LENGTH) {
    throw new InvalidWrappedKeyError('enc must be 32 bytes and wrapped 48 bytes');
  }
  const out = new Uint8Array(ENCODED_LENGTH);
  out[0] = WRAPPED_KEY_FORMAT;
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
  if (bytes[0] !== WRAPPED_KEY_FORMAT)
    throw new InvalidWrappedKeyError(`unknown format ${bytes[0]}`);
  return {
    enc: bytes.slice(1, 1 + ENC_LENGTH),
    wrapped: bytes.slice(1 + ENC_LENGTH),
  };
}
