import { BaseError } from '@aegle/errors';

// Every error here describes *what* failed and never carries key material, passphrases or
// plaintext: they end up in logs and API responses.

/** A private key has the wrong length or is outside the curve's valid range. */
export class InvalidPrivateKeyError extends BaseError {
  override name = 'InvalidPrivateKeyError';
  constructor(kind: 'signing' | 'encryption', reason: string) {
    super(`Invalid ${kind} private key: ${reason}.`, {
      hint: 'Private keys are 32 random bytes; create one with createAccount() instead of typing it.',
    });
  }
}

/** A public key has the wrong length or is not a point on the curve. */
export class InvalidPublicKeyError extends BaseError {
  override name = 'InvalidPublicKeyError';
  constructor(kind: 'signing' | 'encryption', reason: string) {
    super(`Invalid ${kind} public key: ${reason}.`, {
      hint: 'Use the encryptionPublicKey of the recipient account (32 bytes, X25519).',
    });
  }
}

/** A string is not a 20-byte hex Ethereum address, or its EIP-55 checksum is wrong. */
export class InvalidAddressError extends BaseError {
  override name = 'InvalidAddressError';
  constructor(reason: string) {
    super(`Invalid address: ${reason}.`, {
      hint: 'An address is 0x followed by 40 hex digits; mixed case must match its EIP-55 checksum (a typo changes the case pattern).',
    });
  }
}

/** The passphrase does not open the keystore. */
export class WrongPassphraseError extends BaseError {
  override name = 'WrongPassphraseError';
  constructor() {
    super('The passphrase does not open this keystore.', {
      hint: 'Check the passphrase (it is case-sensitive) and that this is the right keystore file.',
    });
  }
}

/** The keystore JSON is malformed, unsupported, or was edited. `field` names the JSON path. */
export class InvalidKeystoreError extends BaseError {
  override name = 'InvalidKeystoreError';
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`Invalid keystore: ${field} ${reason}.`, {
      hint: 'Restore the keystore file from a backup; a keystore must not be edited by hand.',
    });
    this.field = field;
  }
}

/** A data key (DEK) is not 32 bytes. */
export class InvalidDataKeyError extends BaseError {
  override name = 'InvalidDataKeyError';
  constructor(length: number) {
    super(`A data key must be 32 bytes, got ${length}.`, {
      hint: 'Create data keys with generateDataKey() and unwrap them with unwrapDataKey().',
    });
  }
}

/** Stream options are out of range (segment size, length arguments). */
export class InvalidStreamOptionError extends BaseError {
  override name = 'InvalidStreamOptionError';
  constructor(option: string, reason: string) {
    super(`Invalid ${option}: ${reason}.`, {
      hint: 'Leave segmentSize at its default (64 KiB) unless you have measured a reason to change it.',
    });
  }
}

/** The data key does not belong to this ciphertext: the header's key commitment does not match. */
export class WrongKeyError extends BaseError {
  override name = 'WrongKeyError';
  constructor() {
    super('The data key does not match this ciphertext (key commitment mismatch).', {
      hint: 'Unwrap the data key that was made for this record; if the key is right, the stream header was replaced or altered.',
    });
  }
}

/** A segment failed authentication: the ciphertext was altered, reordered, or mixed with another file. */
export class TamperedSegmentError extends BaseError {
  override name = 'TamperedSegmentError';
  readonly segmentIndex: number;
  constructor(segmentIndex: number, detail?: string) {
    super(
      `Segment ${segmentIndex} failed authentication${detail ? ` (${detail})` : ' (altered, reordered, swapped in from another file, or cut short inside this segment)'}.`,
      {
        hint: 'Discard everything decrypted so far and fetch the ciphertext again from another replica.',
      },
    );
    this.segmentIndex = segmentIndex;
  }
}

/** The stream ended before its final segment. */
export class TruncatedStreamError extends BaseError {
  override name = 'TruncatedStreamError';
  constructor(where: string) {
    super(`The ciphertext stream is truncated: it ended ${where}.`, {
      hint: 'Discard everything decrypted so far; the download or upload was cut short. Fetch it again.',
    });
  }
}

/** The stream header is not an Aegle stream header or has an invalid field. */
export class MalformedHeaderError extends BaseError {
  override name = 'MalformedHeaderError';
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`Malformed stream header: ${field} ${reason}.`, {
      hint: 'This is not an Aegle-encrypted stream, or its first bytes are damaged.',
    });
    this.field = field;
  }
}

/** The stream header names a format version this code does not know. */
export class UnsupportedVersionError extends BaseError {
  override name = 'UnsupportedVersionError';
  readonly version: number;
  constructor(version: number) {
    super(`Unsupported stream format version ${version}.`, {
      hint: 'Upgrade @aegle/crypto; the stream was written by a newer version.',
    });
    this.version = version;
  }
}

/** A stream would need more segments than the 32-bit segment counter allows. */
export class StreamTooLongError extends BaseError {
  override name = 'StreamTooLongError';
  constructor() {
    super('The stream exceeds 2^32 segments.', {
      hint: 'Use a larger segmentSize for inputs of this size.',
    });
  }
}

/** HPKE could not unwrap a data key: wrong private key, wrong context, or an altered wrapped key. */
export class KeyUnwrapError extends BaseError {
  override name = 'KeyUnwrapError';
  constructor(options: { cause?: unknown } = {}) {
    super('The wrapped data key could not be unwrapped.', {
      hint: 'It was wrapped for another recipient key or another record (context), or it was altered.',
      cause: options.cause,
    });
  }
}

/** A data-key wrapper was asked to wrap a second key for a context it has wrapped one for. */
export class KeyWrapperReuseError extends BaseError {
  override name = 'KeyWrapperReuseError';
  constructor() {
    super('This wrapper has already wrapped a data key for this context.', {
      hint: 'Give every record its own id, or wrap the key again with a new wrapper (createDataKeyWrapper).',
    });
  }
}

/** A serialised wrapped data key is malformed. */
export class InvalidWrappedKeyError extends BaseError {
  override name = 'InvalidWrappedKeyError';
  constructor(reason: string) {
    super(`Invalid wrapped data key: ${reason}.`, {
      hint: 'Pass the value produced by encodeWrappedDataKey() unchanged.',
    });
  }
}
