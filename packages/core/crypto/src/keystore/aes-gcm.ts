// AES-256-GCM for small secrets (the keystore payload) via WebCrypto, which Node 24 and every
// browser provide; no speed concern here, so no Node-specific path.

type Bytes = Uint8Array<ArrayBuffer>;

export async function aesGcmSeal(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
) {
  const aesKey = await globalThis.crypto.subtle.importKey('raw', key as Bytes, 'AES-GCM', false, [
    'encrypt',
  ]);
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: iv as Bytes, additionalData: aad as Bytes, tagLength: 128 },
    aesKey,
    plaintext as Bytes,
  );
  return new Uint8Array(sealed);
}

/** Returns the plaintext, or undefined when the tag does not verify. */
export async function aesGcmOpen(
  key: Uint8Array,
  iv: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array | undefined> {
  const aesKey = await globalThis.crypto.subtle.importKey('raw', key as Bytes, 'AES-GCM', false, [
    'decrypt',
  ]);
  try {
    const plaintext = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: iv as Bytes, additionalData: aad as Bytes, tagLength: 128 },
      aesKey,
      sealed as Bytes,
    );
    return new Uint8Array(plaintext);
  } catch {
    return undefined;
  }
}
