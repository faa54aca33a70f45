import { CipherSuite } from '@hpke/core';
import { dataKeyPrimitives } from '#hpke-primitives';
import { utf8ToBytes } from '../bytes.ts';
import { HkdfSha256Sync } from './hkdf-sha256-sync.ts';

/**
 * RFC 9180 suite for wrapping data keys: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM,
 * base mode, as @hpke/core runs it. X25519 keys are the account's encryption keys (@noble/curves
 * x25519 format). Every HKDF step runs synchronously (HkdfSha256Sync, in the key schedule and
 * the KEM); X25519 and AES-GCM run on node:crypto in Node and on WebCrypto elsewhere
 * ("#hpke-primitives").
 */
export const dataKeySuite = new CipherSuite({
  ...dataKeyPrimitives(),
  kdf: new HkdfSha256Sync(),
});

/** HPKE `info`: separates Aegle data-key wrapping from any other use of the same keys. */
export const WRAP_INFO = utf8ToBytes('aegle/dek/v1');

/** Serialised-form version byte; names the suite and WRAP_INFO above. */
export const WRAPPED_KEY_FORMAT = 1;

/**
 * HPKE `info` of exported-key wrapping (createDataKeyWrapper): one encapsulation for many data
 * keys, each sealed under a key exported for its own context. Its own info, so that neither
 * form's secrets can stand for the other's.
 */
export const EXPORT_INFO = utf8ToBytes('aegle/dek-export/v1');

/** Serialised-form version byte of a data key sealed under an exported key (EXPORT_INFO). */
export const EXPORTED_KEY_FORMAT = 2;
export const ENC_LENGTH = 32;
export const WRAPPED_LENGTH = 32 + 16;
