// Node's half of "#hpke-primitives" (package.json imports): the X25519 and AES-256-GCM that HPKE
// wraps data keys with, computed by node:crypto (OpenSSL) synchronously, inside @hpke/core's own
// KEM and key schedule. Browsers get @hpke/core's WebCrypto ones (hpke-primitives-webcrypto.ts).
//
// Why: WebCrypto in Node runs each call as a job on libuv's thread pool and resolves it through
// the event loop. A wrap makes about seven such calls (import the recipient key, generate the
// ephemeral pair, DH, export two public keys, import the AES key, seal), which cost about 0.3 ms
// of the 0.46 ms a wrap took, for arithmetic OpenSSL does in about 0.1 ms. A FHIR import wraps a
// key per resource and recipient, and every read unwraps one. The CFRG vectors check both halves
// bit for bit (hpke-vectors.test.ts).
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import {
  AeadId,
  type AeadInterface,
  DeriveKeyPairError,
  DeserializeError,
  NotSupportedError,
  SerializeError,
} from '@hpke/core';
import {
  type BufferSourceLike,
  concatBytes,
  toArrayBuffer,
  utf8ToBytes,
  viewOf,
} from '../bytes.ts';
import { createSegmentCipher } from '../envelope/segment-cipher-node.ts';
import { lruGetOrMake } from '../lru.ts';
import { DhkemX25519SyncKdf } from './dhkem-x25519-sync-kdf.ts';
import type { HkdfSha256Sync } from './hkdf-sha256-sync.ts';

/** DER headers of X25519 keys (RFC 8410): SubjectPublicKeyInfo and PKCS #8, before the 32 bytes. */
const SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
]);
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
const KEY_LENGTH = 32;
// RFC 9180, section 7.1.3: DeriveKeyPair's labels.
const LABEL_DKP_PRK = utf8ToBytes('dkp_prk');
const LABEL_SK = utf8ToBytes('sk');

function withPrefix(prefix: Uint8Array, raw: Uint8Array): Buffer {
  const der = Buffer.alloc(prefix.length + raw.length);
  der.set(prefix);
  der.set(raw, prefix.length);
  return der;
}

/**
 * The raw bytes of public keys made or imported here, so that serializing one (the KEM does so
 * for the ephemeral key and again for the recipient's, on every wrap) does not export it again.
 */
const rawPublic = new WeakMap<KeyObject, Uint8Array>();

function rawOf(key: KeyObject): Uint8Array {
  const known = key.type === 'public' ? rawPublic.get(key) : undefined;
  if (known !== undefined) return known.slice();
  const der = key.export({ format: 'der', type: key.type === 'public' ? 'spki' : 'pkcs8' });
  const raw = new Uint8Array(der.subarray(der.length - KEY_LENGTH));
  if (key.type === 'public') rawPublic.set(key, raw.slice());
  return raw;
}

/**
 * Recipients' public keys as KeyObjects, by their bytes: a FHIR import wraps a key for the same
 * patient hundreds of times, and importing the key was a fifth of a wrap. Public keys only.
 */
const publicKeys = new Map<string, KeyObject>();
const PUBLIC_KEYS_CAPACITY = 256;

function publicKeyOf(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_LENGTH) throw new Error('Invalid public key for the ciphersuite');
  const hex = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  return lruGetOrMake(publicKeys, PUBLIC_KEYS_CAPACITY, hex, () => {
    const key = createPublicKey({ key: withPrefix(SPKI_PREFIX, raw), format: 'der', type: 'spki' });
    rawPublic.set(key, raw.slice());
    return key;
  });
}

function privateKeyOf(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_LENGTH) throw new Error('Invalid private key for the ciphersuite');
  const der = withPrefix(PKCS8_PREFIX, raw);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    // The key now lives in OpenSSL's memory; this copy of it need not wait for the collector.
    der.fill(0);
  }
}

// @hpke/core's KEM passes keys through untouched to these primitives: here they are KeyObjects,
// typed as the CryptoKeys its interfaces name.
type CryptoKey = Awaited<ReturnType<DhkemX25519SyncKdf['importKey']>>;
type CryptoKeyPair = Awaited<ReturnType<DhkemX25519SyncKdf['generateKeyPair']>>;
type JsonWebKey = Exclude<Parameters<DhkemX25519SyncKdf['importKey']>[1], ArrayBuffer>;
const asCryptoKey = (key: KeyObject) => key as unknown as CryptoKey;
const asKeyObject = (key: CryptoKey) => key as unknown as KeyObject;

/** @hpke/core's X25519 primitives (dhkemPrimitives/x25519.js), on node:crypto. */
class X25519Node {
  readonly #kdf: HkdfSha256Sync;

  constructor(kdf: HkdfSha256Sync) {
    this.#kdf = kdf;
  }

  async serializePublicKey(key: CryptoKey): Promise<ArrayBuffer> {
    try {
      return toArrayBuffer(rawOf(asKeyObject(key)));
    } catch (e) {
      throw new SerializeError(e);
    }
  }

  async deserializePublicKey(key: ArrayBuffer): Promise<CryptoKey> {
    try {
      return asCryptoKey(publicKeyOf(viewOf(key)));
    } catch (e) {
      throw new DeserializeError(e);
    }
  }

  async serializePrivateKey(key: CryptoKey): Promise<ArrayBuffer> {
    try {
      return toArrayBuffer(rawOf(asKeyObject(key)));
    } catch (e) {
      throw new SerializeError(e);
    }
  }

  async deserializePrivateKey(key: ArrayBuffer): Promise<CryptoKey> {
    try {
      return asCryptoKey(privateKeyOf(viewOf(key)));
    } catch (e) {
      throw new DeserializeError(e);
    }
  }

  async importKey(
    format: 'raw' | 'jwk',
    key: ArrayBuffer | JsonWebKey,
    isPublic: boolean,
  ): Promise<CryptoKey> {
    try {
      if (format !== 'raw' || !(key instanceof ArrayBuffer || ArrayBuffer.isView(key))) {
        throw new Error('only raw X25519 keys are imported here');
      }
      const raw = viewOf(key);
      return asCryptoKey(isPublic ? publicKeyOf(raw) : privateKeyOf(raw));
    } catch (e) {
      throw new DeserializeError(e);
    }
  }

  async generateKeyPair(): Promise<CryptoKeyPair> {
    try {
      const { privateKey, publicKey } = generateKeyPairSync('x25519');
      return { privateKey: asCryptoKey(privateKey), publicKey: asCryptoKey(publicKey) };
    } catch (e) {
      throw new NotSupportedError(e);
    }
  }

  async deriveKeyPair(ikm: ArrayBuffer): Promise<CryptoKeyPair> {
    try {
      const empty = new Uint8Array(0);
      const prk = await this.#kdf.labeledExtract(empty, LABEL_DKP_PRK, viewOf(ikm));
      const sk = new Uint8Array(await this.#kdf.labeledExpand(prk, LABEL_SK, empty, KEY_LENGTH));
      const privateKey = privateKeyOf(sk);
      sk.fill(0);
      return {
        privateKey: asCryptoKey(privateKey),
        publicKey: asCryptoKey(createPublicKey(privateKey)),
      };
    } catch (e) {
      throw new DeriveKeyPairError(e);
    }
  }

  async derivePublicKey(key: CryptoKey): Promise<CryptoKey> {
    try {
      return asCryptoKey(createPublicKey(asKeyObject(key)));
    } catch (e) {
      throw new DeserializeError(e);
    }
  }

  async dh(sk: CryptoKey, pk: CryptoKey): Promise<ArrayBuffer> {
    try {
      const shared = diffieHellman({ privateKey: asKeyObject(sk), publicKey: asKeyObject(pk) });
      // RFC 9180, section 7.1.4: a low-order public key gives the all-zero secret; abort.
      if (shared.every((b) => b === 0)) throw new Error('the X25519 shared secret is all zero');
      return toArrayBuffer(shared);
    } catch (e) {
      throw new SerializeError(e);
    }
  }
}

/** DHKEM(X25519, HKDF-SHA256) with HKDF on @noble/hashes and X25519 on node:crypto. */
export class DhkemX25519Node extends DhkemX25519SyncKdf {
  constructor() {
    super();
    this._prim = new X25519Node(this._kdf as HkdfSha256Sync);
  }
}

/**
 * AES-256-GCM for HPKE's AEAD (RFC 9180, section 7.3) on the envelope's node:crypto segment
 * cipher, which is the same AEAD: ciphertext ‖ 16-byte tag, no plaintext out of a failed tag.
 */
export class Aes256GcmNode implements AeadInterface {
  readonly id = AeadId.Aes256Gcm;
  readonly keySize = 32;
  readonly nonceSize = 12;
  readonly tagSize = 16;

  createEncryptionContext(key: BufferSourceLike) {
    const raw = viewOf(key);
    if (raw.length !== this.keySize) throw new Error('Invalid AES-256-GCM key length');
    const cipher = createSegmentCipher(raw);
    return {
      async seal(
        iv: BufferSourceLike,
        data: BufferSourceLike,
        aad: BufferSourceLike,
      ): Promise<ArrayBuffer> {
        const parts = await (await cipher).seal(viewOf(iv), viewOf(data), viewOf(aad));
        return toArrayBuffer(concatBytes(...parts));
      },
      async open(
        iv: BufferSourceLike,
        data: BufferSourceLike,
        aad: BufferSourceLike,
      ): Promise<ArrayBuffer> {
        const plaintext = await (await cipher).open(viewOf(iv), viewOf(data), viewOf(aad));
        if (plaintext === undefined) throw new Error('the AES-256-GCM tag does not verify');
        return toArrayBuffer(plaintext);
      },
    };
  }
}

/** The data-key suite's KEM and AEAD in Node. */
export function dataKeyPrimitives() {
  return { kem: new DhkemX25519Node(), aead: new Aes256GcmNode() };
}
