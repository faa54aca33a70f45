// The CFRG HPKE test vectors for DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256, all four modes, all
// AEADs (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, export-only), run through @hpke/core:
// the library we wrap keys with must reproduce every ciphertext and export bit for bit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import {
  type AeadInterface,
  Aes128Gcm,
  Aes256Gcm,
  CipherSuite,
  DhkemX25519HkdfSha256,
  ExportOnly,
  HkdfSha256,
} from '@hpke/core';
import { bytesToHex, hexToBytes } from '../bytes.ts';
import { DhkemX25519SyncKdf } from './dhkem-x25519-sync-kdf.ts';
import { HkdfSha256Sync } from './hkdf-sha256-sync.ts';
import { Aes256GcmNode, DhkemX25519Node } from './hpke-primitives-node.ts';
import { loadHpkeVectors } from './hpke-vectors.testing.ts';

const vectors = await loadHpkeVectors();

function aeadFor(id: number, node: boolean): AeadInterface {
  switch (id) {
    case 1:
      return new Aes128Gcm();
    case 2:
      return node ? new Aes256GcmNode() : new Aes256Gcm();
    case 3:
      return new Chacha20Poly1305();
    case 65535:
      return new ExportOnly();
    default:
      throw new Error(`unexpected AEAD id ${id}`);
  }
}

const hex = (bytes: ArrayBuffer | Uint8Array) => bytesToHex(new Uint8Array(bytes));

test('the fixture holds the 16 vectors: 4 modes × 4 AEADs, all DHKEM(X25519)/HKDF-SHA256', () => {
  assert.equal(vectors.length, 16);
  const combos = new Set(vectors.map((v) => `${v.mode}/${v.aead_id}`));
  assert.equal(combos.size, 16);
  for (const v of vectors) {
    assert.equal(v.kem_id, 32);
    assert.equal(v.kdf_id, 1);
  }
});

// @hpke/core's own HKDF (WebCrypto); the synchronous one Aegle's data-key suite uses, in the key
// schedule and in the KEM (what browsers run); and that with X25519 and AES-256-GCM on
// node:crypto (what Node runs, hpke-primitives-node.ts).
const variants = [
  { Kem: DhkemX25519HkdfSha256, Kdf: HkdfSha256, node: false },
  { Kem: DhkemX25519SyncKdf, Kdf: HkdfSha256Sync, node: false },
  { Kem: DhkemX25519Node, Kdf: HkdfSha256Sync, node: true },
];
for (const [vector, { Kem, Kdf, node }] of vectors.flatMap((v) =>
  variants.map((k) => [v, k] as const),
)) {
  const aead = aeadFor(vector.aead_id, node);
  const name = `mode ${vector.mode} (${['base', 'psk', 'auth', 'auth_psk'][vector.mode]}), AEAD ${vector.aead_id}, ${Kem.name}/${Kdf.name}/${aead.constructor.name}`;
  test(`CFRG HPKE vector: ${name}`, async () => {
    const suite = new CipherSuite({ kem: new Kem(), kdf: new Kdf(), aead });
    const recipient = await suite.kem.deriveKeyPair(hexToBytes(vector.ikmR));
    const ephemeral = await suite.kem.deriveKeyPair(hexToBytes(vector.ikmE));
    assert.equal(hex(await suite.kem.serializePublicKey(recipient.publicKey)), vector.pkRm);
    assert.equal(hex(await suite.kem.serializePrivateKey(recipient.privateKey)), vector.skRm);
    assert.equal(hex(await suite.kem.serializePublicKey(ephemeral.publicKey)), vector.pkEm);

    const info = hexToBytes(vector.info);
    const psk =
      vector.psk !== undefined && vector.psk_id !== undefined
        ? { id: hexToBytes(vector.psk_id), key: hexToBytes(vector.psk) }
        : undefined;
    const sender =
      vector.ikmS !== undefined
        ? await suite.kem.deriveKeyPair(hexToBytes(vector.ikmS))
        : undefined;
    if (sender)
      assert.equal(hex(await suite.kem.serializePublicKey(sender.publicKey)), vector.pkSm);

    // The fixed ephemeral key pair replaces the random one, so the output is deterministic.
    const senderContext = await suite.createSenderContext({
      recipientPublicKey: recipient.publicKey,
      info,
      ekm: ephemeral,
      ...(psk ? { psk } : {}),
      ...(sender ? { senderKey: sender } : {}),
    });
    assert.equal(hex(senderContext.enc), vector.enc);
    const recipientContext = await suite.createRecipientContext({
      recipientKey: recipient,
      enc: hexToBytes(vector.enc),
      info,
      ...(psk ? { psk } : {}),
      ...(sender ? { senderPublicKey: sender.publicKey } : {}),
    });

    if (vector.aead_id === 65535) {
      assert.equal(vector.encryptions.length, 0);
    }
    for (const encryption of vector.encryptions) {
      const ciphertext = await senderContext.seal(
        hexToBytes(encryption.plaintext),
        hexToBytes(encryption.aad),
      );
      assert.equal(hex(ciphertext), encryption.ciphertext);
      const plaintext = await recipientContext.open(
        hexToBytes(encryption.ciphertext),
        hexToBytes(encryption.aad),
      );
      assert.equal(hex(plaintext), encryption.plaintext);
    }
    assert.ok(vector.exports.length > 0);
    for (const exported of vector.exports) {
      const context = hexToBytes(exported.exporter_context);
      assert.equal(hex(await senderContext.export(context, exported.L)), exported.exported_value);
      assert.equal(
        hex(await recipientContext.export(context, exported.L)),
        exported.exported_value,
      );
    }
  });
}
