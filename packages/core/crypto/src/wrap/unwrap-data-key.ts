import { sha256 } from '@noble/hashes/sha2.js';
import { dataKeyPrimitives } from '#hpke-primitives';
import { bytesToHex, toArrayBuffer } from '../bytes.ts';
import { DATA_KEY_LENGTH } from '../envelope/format.ts';
import { InvalidPrivateKeyError, KeyUnwrapError } from '../errors.ts';
import { dataKeySuite, EXPORT_INFO, EXPORTED_KEY_FORMAT, WRAP_INFO } from './hpke-suite.ts';
import { contextBytes } from './wrap-data-key.ts';
import type { WrappedDataKey } from './wrapped-data-key.ts';

type RecipientContext = Awaited<ReturnType<typeof dataKeySuite.createRecipientContext>>;

/**
 * Recipient contexts of exported-key batches, by encapsulation and private key: the keys of one
 * batch (a FHIR import, read back) open with one Diffie-Hellman instead of one each. They hold
 * exporter secrets, so they live in this process's memory only, a few at a time.
 */
const recipientContexts = new Map<string, Promise<RecipientContext>>();
const RECIPIENT_CONTEXTS_CAPACITY = 16;
const ZERO_NONCE = new Uint8Array(12);
const aead = dataKeyPrimitives().aead;

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
    return unwrapExported(wrappedKey, recipientEncryptionPrivateKey, contextBytes(context));
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

/** A key of createDataKeyWrapper's: AES-256-GCM under the key exported for `context`. */
async function unwrapExported(
  wrappedKey: WrappedDataKey,
  recipientEncryptionPrivateKey: Uint8Array,
  context: Uint8Array,
): Promise<Uint8Array> {
  const id = `${bytesToHex(wrappedKey.enc)}:${bytesToHex(sha256(recipientEncryptionPrivateKey))}`;
  let recipient = recipientContexts.get(id);
  if (recipient === undefined) {
    recipient = (async () => {
      const recipientKey = await dataKeySuite.kem.importKey(
        'raw',
        recipientEncryptionPrivateKey,
        false,
      );
      return dataKeySuite.createRecipientContext({
        recipientKey,
        enc: toArrayBuffer(wrappedKey.enc),
        info: EXPORT_INFO,
      });
    })();
    if (recipientContexts.size >= RECIPIENT_CONTEXTS_CAPACITY) {
      recipientContexts.delete(recipientContexts.keys().next().value as string);
    }
    recipientContexts.set(id, recipient);
  } else {
    recipientContexts.delete(id);
    recipientContexts.set(id, recipient);
  }
  let key: Uint8Array | undefined;
  let dataKey: Uint8Array;
  try {
    key = new Uint8Array(await (await recipient).export(toArrayBuffer(context), 32));
    dataKey = new Uint8Array(
      await aead
        .createEncryptionContext(toArrayBuffer(key))
        .open(toArrayBuffer(ZERO_NONCE), toArrayBuffer(wrappedKey.wrapped), toArrayBuffer(context)),
    );
  } catch (cause) {
    // A context that could not be set up (a low-order enc) is not kept.
    const failed = recipient;
    failed.catch(() => {
      if (recipientContexts.get(id) === failed) recipientContexts.delete(id);
    });
    throw new KeyUnwrapError({ cause });
  } finally {
    key?.fill(0);
  }
  if (dataKey.length !== DATA_KEY_LENGTH) throw new KeyUnwrapError();
  return dataKey;
}
