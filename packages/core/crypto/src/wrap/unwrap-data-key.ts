import { DATA_KEY_LENGTH } from '../envelope/format.ts';
import { InvalidPrivateKeyError, KeyUnwrapError } from '../errors.ts';
import { unwrapExportedDataKey } from './data-key-wrapper.ts';
import { dataKeySuite, EXPORTED_KEY_FORMAT, WRAP_INFO } from './hpke-suite.ts';
import { contextBytes } from './wrap-data-key.ts';
import type { WrappedDataKey } from './wrapped-data-key.ts';

/**
 * Unwraps a data key with the recipient's X25519 private key and the same `context` it was
 * wrapped with. Throws `KeyUnwrapError` for a wrong key, a wrong context or an altered value:
 * HPKE cannot (and should not) tell these apart.
 */
export async function unwrapDataKey(
  wrappedKey: WrappedDataKey,
  recipientEncryptionPrivateKey: Uint8Array,
  context: string | Uint8Array,
): Promise<Uint8Array> {
  if (
    !(recipientEncryptionPrivateKey instanceof Uint8Array) ||
    recipientEncryptionPrivateKey.length !== 32
  ) {
    throw new InvalidPrivateKeyError('encryption', 'must be 32 bytes');
  }
  if (wrappedKey.format === EXPORTED_KEY_FORMAT) {
    return unwrapExportedDataKey(wrappedKey, recipientEncryptionPrivateKey, contextBytes(context));
  }
  const recipientKey = await dataKeySuite.kem.importKey(
    'raw',
    recipientEncryptionPrivateKey,
    false,
  );
  let dataKey: Uint8Array;
  try {
    dataKey = new Uint8Array(
      await dataKeySuite.open(
        { recipientKey, enc: wrappedKey.enc, info: WRAP_INFO },
        wrappedKey.wrapped,
        contextBytes(context),
      ),
    );
  } catch (cause) {
    throw new KeyUnwrapError({ cause });
  }
  // A well-formed HPKE message of the wrong length was not made by wrapDataKey.
  if (dataKey.length !== DATA_KEY_LENGTH) throw new KeyUnwrapError();
  return dataKey;
}
