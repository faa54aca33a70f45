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
  if (
    !(recipientEncryptionPublicKey instanceof Uint8Array) ||
    recipientEncryptionPublicKey.length !== 32
  ) {
    throw new InvalidPublicKeyError('encryption', 'must be 32 bytes (X25519)');
  }
  let recipientPublicKey: Awaited<ReturnType<typeof dataKeySuite.kem.importKey>>;
  try {
    recipientPublicKey = await dataKeySuite.kem.importKey(
      'raw',
      recipientEncryptionPublicKey,
      true,
    );
  } catch {
    throw new InvalidPublicKeyError('encryption', 'not a usable X25519 public key');
  }
  let sealed: Awaited<ReturnType<typeof dataKeySuite.seal>>;
  try {
    sealed = await dataKeySuite.seal(
      { recipientPublicKey, info: WRAP_INFO },
      dataKey,
      contextBytes(context),
    );
  } catch (error) {
    // The KEM's Diffie-Hellman failed: a low-order point, whose shared secret is all zero
    // (RFC 9180, section 7.1.4). Nobody holds a private key for it.
    if ((error as Error)?.name === 'EncapError') {
      throw new InvalidPublicKeyError('encryption', 'a low-order X25519 point, not a usable key');
    }
    throw error;
  }
  return { enc: new Uint8Array(sealed.enc), wrapped: new Uint8Array(sealed.ct) };
}

export function contextBytes(context: string | Uint8Array): Uint8Array {
  return typeof context === 'string' ? utf8ToBytes(context) : context;
}
