import { utf8ToBytes } from '../bytes.ts';
import { assertDataKey } from '../envelope/data-key.ts';
import { InvalidPublicKeyError } from '../errors.ts';
import { dataKeySuite, WRAP_INFO } from './hpke-suite.ts';
import type { WrappedDataKey } from './wrapped-data-key.ts';

/**
 * Wraps a data key for one recipient with HPKE (RFC 9180, base mode).
 *
 * `context` (e.g. the record id) is the HPKE associated data, so a wrapped key only unwraps for
 * the record it was made for. Granting a reader is wrapping the same DEK again for their key:
 * the content is never re-encrypted.
 */
export async function wrapDataKey(
  dataKey: Uint8Array,
  recipientEncryptionPublicKey: Uint8Array,
  context: string | Uint8Array,
): Promise<WrappedDataKey> {
  assertDataKey(dataKey);
  assertRecipientKey(recipientEncryptionPublicKey);
  const recipientPublicKey = await importRecipientKey(recipientEncryptionPublicKey);
  let sealed: Awaited<ReturnType<typeof dataKeySuite.seal>>;
  try {
    sealed = await dataKeySuite.seal(
      { recipientPublicKey, info: WRAP_INFO },
      dataKey,
      contextBytes(context),
    );
  } catch (error) {
    throw lowOrderKeyError(error);
  }
  return { enc: new Uint8Array(sealed.enc), wrapped: new Uint8Array(sealed.ct) };
}

/** Throws InvalidPublicKeyError unless `key` is 32 bytes (an X25519 public key). */
export function assertRecipientKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new InvalidPublicKeyError('encryption', 'must be 32 bytes (X25519)');
  }
}

/** The recipient's key as the KEM takes it; InvalidPublicKeyError if it is not one. */
export async function importRecipientKey(
  key: Uint8Array,
): Promise<Awaited<ReturnType<typeof dataKeySuite.kem.importKey>>> {
  try {
    return await dataKeySuite.kem.importKey('raw', key, true);
  } catch {
    throw new InvalidPublicKeyError('encryption', 'not a usable X25519 public key');
  }
}

/**
 * What an encapsulation's failure means: the KEM's Diffie-Hellman failed on a low-order point,
 * whose shared secret is all zero (RFC 9180, section 7.1.4), and nobody holds a private key for
 * it. Any other error is returned as it is.
 */
export function lowOrderKeyError(error: unknown): unknown {
  if ((error as Error)?.name === 'EncapError') {
    return new InvalidPublicKeyError('encryption', 'a low-order X25519 point, not a usable key');
  }
  return error;
}

export function contextBytes(context: string | Uint8Array): Uint8Array {
  return typeof context === 'string' ? utf8ToBytes(context) : context;
}
