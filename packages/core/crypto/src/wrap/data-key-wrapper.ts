import { sha256 } from '@noble/hashes/sha2.js';
import { dataKeyPrimitives } from '#hpke-primitives';
import { bytesToHex, toArrayBuffer } from '../bytes.ts';
import { assertDataKey } from '../envelope/data-key.ts';
import { DATA_KEY_LENGTH } from '../envelope/format.ts';
import { KeyUnwrapError, KeyWrapperReuseError } from '../errors.ts';
import { lruGetOrMake } from '../lru.ts';
import { dataKeySuite, EXPORT_INFO, EXPORTED_KEY_FORMAT } from './hpke-suite.ts';
import {
  assertRecipientKey,
  contextBytes,
  importRecipientKey,
  lowOrderKeyError,
} from './wrap-data-key.ts';
import type { WrappedDataKey } from './wrapped-data-key.ts';

/** Wraps one data key, for one context (a record id), for the wrapper's recipient. */
export type DataKeyWrapper = (
  dataKey: Uint8Array,
  context: string | Uint8Array,
) => Promise<WrappedDataKey>;

/** Data keys wrapped under one encapsulation at most, before the wrapper encapsulates afresh. */
export const KEYS_PER_ENCAPSULATION = 256;

/**
 * AES-256-GCM nonce of an exported key's one message: each exported key seals one data key.
 * Both directions of EXPORTED_KEY_FORMAT live in this file, so they share it and the AEAD.
 */
const ZERO_NONCE = new Uint8Array(12);
const aead = dataKeyPrimitives().aead;

/**
 * Wraps many data keys for one recipient with one HPKE encapsulation (RFC 9180 base mode, info
 * EXPORT_INFO): each data key is sealed with AES-256-GCM under a 32-byte key exported from the
 * shared context for its own `context` (HPKE's secret export, section 5.3), with `context` as the
 * associated data. The result has EXPORTED_KEY_FORMAT; unwrapDataKey opens both forms.
 *
 * Why: an encapsulation is an ephemeral X25519 key pair, a Diffie-Hellman and a key schedule,
 * about 0.15 ms; a FHIR import wraps a key per resource, for the same patient, hundreds of times.
 * Exported keys are independent for distinct contexts, so each wrapped key still opens only for
 * its record. A context is refused if this wrapper has already wrapped a key for it under the
 * current encapsulation (KeyWrapperReuseError), since its exported key, and so its nonce, would
 * repeat. After KEYS_PER_ENCAPSULATION keys, the next one starts a new encapsulation.
 */
export function createDataKeyWrapper(recipientEncryptionPublicKey: Uint8Array): DataKeyWrapper {
  assertRecipientKey(recipientEncryptionPublicKey);
  let current:
    | Promise<{
        sender: Awaited<ReturnType<typeof dataKeySuite.createSenderContext>>;
        enc: Uint8Array;
        contexts: Set<string>;
      }>
    | undefined;
  return async (dataKey, context) => {
    assertDataKey(dataKey);
    if (current === undefined || (await current).contexts.size >= KEYS_PER_ENCAPSULATION) {
      current = encapsulate(recipientEncryptionPublicKey);
    }
    const { sender, enc, contexts } = await current;
    const info = contextBytes(context);
    const seen = bytesToHex(info);
    if (contexts.has(seen)) throw new KeyWrapperReuseError();
    contexts.add(seen);
    const key = new Uint8Array(await sender.export(toArrayBuffer(info), 32));
    try {
      const sealed = await aead
        .createEncryptionContext(toArrayBuffer(key))
        .seal(toArrayBuffer(ZERO_NONCE), toArrayBuffer(dataKey), toArrayBuffer(info));
      return { enc, wrapped: new Uint8Array(sealed), format: EXPORTED_KEY_FORMAT };
    } finally {
      key.fill(0);
    }
  };
}

async function encapsulate(recipientEncryptionPublicKey: Uint8Array) {
  const recipientPublicKey = await importRecipientKey(recipientEncryptionPublicKey);
  try {
    const sender = await dataKeySuite.createSenderContext({
      recipientPublicKey,
      info: EXPORT_INFO,
    });
    return { sender, enc: new Uint8Array(sender.enc), contexts: new Set<string>() };
  } catch (error) {
    throw lowOrderKeyError(error);
  }
}

type RecipientContext = Awaited<ReturnType<typeof dataKeySuite.createRecipientContext>>;

/**
 * Recipient contexts of exported-key batches, by encapsulation and private key: the keys of one
 * batch (a FHIR import, read back) open with one Diffie-Hellman instead of one each. They hold
 * exporter secrets, so they live in this process's memory only, a few at a time.
 */
const recipientContexts = new Map<string, Promise<RecipientContext>>();
const RECIPIENT_CONTEXTS_CAPACITY = 16;

/**
 * Opens a key of createDataKeyWrapper's (unwrapDataKey's path for EXPORTED_KEY_FORMAT): AES-256-GCM
 * under the key exported for `context` from the batch's recipient context.
 */
export async function unwrapExportedDataKey(
  wrappedKey: WrappedDataKey,
  recipientEncryptionPrivateKey: Uint8Array,
  context: Uint8Array,
): Promise<Uint8Array> {
  const id = `${bytesToHex(wrappedKey.enc)}:${bytesToHex(sha256(recipientEncryptionPrivateKey))}`;
  const recipient = lruGetOrMake(recipientContexts, RECIPIENT_CONTEXTS_CAPACITY, id, async () => {
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
  });
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
