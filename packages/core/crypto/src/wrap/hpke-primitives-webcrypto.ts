// The browsers' half of "#hpke-primitives" (package.json imports): @hpke/core's own X25519 and
// AES-256-GCM, on WebCrypto, with the KEM's HKDF made synchronous (DhkemX25519SyncKdf). Node's
// half computes the same on node:crypto (hpke-primitives-node.ts).
import { Aes256Gcm } from '@hpke/core';
import { DhkemX25519SyncKdf } from './dhkem-x25519-sync-kdf.ts';

/** The data-key suite's KEM and AEAD in browsers (and any runtime without node:crypto). */
export function dataKeyPrimitives() {
  return { kem: new DhkemX25519SyncKdf(), aead: new Aes256Gcm() };
}
