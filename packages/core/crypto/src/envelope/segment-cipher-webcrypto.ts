import type { CreateSegmentCipher, SegmentCipher } from './segment-cipher.ts';

// The browser path (and any runtime without node:crypto): WebCrypto AES-GCM. It must not
// import anything from node:*; a test checks that.

export const createSegmentCipher: CreateSegmentCipher = async (key) => {
  const aesKey = await globalThis.crypto.subtle.importKey('raw', asBuffer(key), 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  const cipher: SegmentCipher = {
    async seal(nonce, plaintext, aad) {
      const sealed = await globalThis.crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: asBuffer(nonce), additionalData: asBuffer(aad), tagLength: 128 },
        aesKey,
        asBuffer(plaintext),
      );
      return [new Uint8Array(sealed)];
    },
    async open(nonce, sealed, aad) {
      try {
        const plaintext = await globalThis.crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: asBuffer(nonce), additionalData: asBuffer(aad), tagLength: 128 },
          aesKey,
          asBuffer(sealed),
        );
        return new Uint8Array(plaintext);
      } catch {
        return undefined;
      }
    },
  };
  return cipher;
};

// WebCrypto's types want an ArrayBuffer-backed view; SubtleCrypto copies its inputs when
// called, so passing views of buffers we later reuse is safe.
function asBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}
